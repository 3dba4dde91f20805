"""What makes a "per te" list stale: the person's home, job, family or survey answer, an offer or
a supplier of their municipalities, a plan of their company, a fund grant.

Each receiver only marks the affected sets (one UPDATE, nothing when nobody has a set yet) and,
if it marked any, queues `refresh_stale` once per database transaction, after the commit: the
worker then reads committed data, and a rolled-back change queues nothing.
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from conciliare.accounts.models import EmployeeProfile, FamilyMember
from conciliare.catalogue.models import Offer
from conciliare.fund.models import Grant
from conciliare.plans.models import WelfarePlan
from conciliare.suppliers.models import Supplier

from . import recommendations
from .models import SurveyResponse

HOME_FIELDS = {"residence_municipality", "residence_municipality_id"}


def _queue_refresh() -> None:
    from .tasks import recommendations_refresh_stale

    recommendations_refresh_stale.enqueue()


def _refresh_after_commit(marked: int) -> None:
    if not marked:
        return
    pending = getattr(transaction.get_connection(), "run_on_commit", [])
    if any(entry[1] is _queue_refresh for entry in pending):
        return  # already queued by an earlier change of this transaction
    transaction.on_commit(_queue_refresh)


def _user_changed(sender: Any, instance: Any, created: bool, raw: bool, update_fields: Any, **kwargs: Any) -> None:
    # A new person has no set yet; a login saves last_login only.
    if raw or created or (update_fields is not None and not HOME_FIELDS & set(update_fields)):
        return
    _refresh_after_commit(recommendations.mark_users_stale([instance.pk]))


def _person_changed(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    user_id = instance.respondent_id if isinstance(instance, SurveyResponse) else instance.user_id
    _refresh_after_commit(recommendations.mark_users_stale([user_id]))


def _supplier_area(supplier_id: int) -> Any:
    return Supplier.served_municipalities.through.objects.filter(supplier_id=supplier_id).values_list(
        "municipality_id", flat=True
    )


def _offer_changed(sender: Any, instance: Offer, raw: bool = False, **kwargs: Any) -> None:
    # The supplier's whole area: it holds the offer's own list, and stays readable after a delete.
    if not raw:
        _refresh_after_commit(recommendations.mark_places_stale(_supplier_area(instance.supplier_id)))


def _supplier_changed(sender: Any, instance: Supplier, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _refresh_after_commit(recommendations.mark_places_stale(_supplier_area(instance.pk)))


def _supplier_area_changed(sender: Any, instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    # Before a removal the old area, after an addition the new one: both may see offers come or go.
    if action in ("pre_remove", "pre_clear", "post_add") and not reverse:
        _refresh_after_commit(recommendations.mark_places_stale(_supplier_area(instance.pk)))


def _plan_changed(sender: Any, instance: WelfarePlan, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        _refresh_after_commit(recommendations.mark_company_stale(instance.company_id))


def _grant_changed(sender: Any, instance: Grant, raw: bool = False, **kwargs: Any) -> None:
    if not raw and instance.beneficiary_id is not None:
        _refresh_after_commit(recommendations.mark_users_stale([instance.beneficiary_id]))


def connect() -> None:
    """Called by NeedsConfig.ready(); dispatch_uid keeps a second call harmless."""
    post_save.connect(_user_changed, sender=get_user_model(), dispatch_uid="needs_user")
    for model in (EmployeeProfile, FamilyMember, SurveyResponse):
        post_save.connect(_person_changed, sender=model, dispatch_uid=f"needs_save_{model.__name__}")
        post_delete.connect(_person_changed, sender=model, dispatch_uid=f"needs_delete_{model.__name__}")
    post_save.connect(_offer_changed, sender=Offer, dispatch_uid="needs_offer_save")
    post_delete.connect(_offer_changed, sender=Offer, dispatch_uid="needs_offer_delete")
    post_save.connect(_supplier_changed, sender=Supplier, dispatch_uid="needs_supplier")
    m2m_changed.connect(
        _supplier_area_changed, sender=Supplier.served_municipalities.through, dispatch_uid="needs_supplier_area"
    )
    post_save.connect(_plan_changed, sender=WelfarePlan, dispatch_uid="needs_plan")
    post_save.connect(_grant_changed, sender=Grant, dispatch_uid="needs_grant")
