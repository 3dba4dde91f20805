"""The `rules` permissions agree with the scoped selectors the views use."""

import pytest

pytestmark = pytest.mark.django_db


def test_only_hr_of_the_company_manages_its_people(cast):
    allowed = {
        name
        for name, user in cast.role_users().items()
        if user.has_perm("accounts.manage_company_people", cast.company)
    }
    # operator_olga is a superuser (the console needs it), and Django grants superusers every permission
    assert allowed == {"hr_manager", "operator_admin"}
    assert not cast.hr_bruno.has_perm("accounts.import_employees", cast.other_company)
    assert cast.hr_other_ivo.has_perm("accounts.import_employees", cast.other_company)


def test_only_the_owner_sees_a_family_member(cast):
    sofia = cast.employee_anna.family_members.get()
    viewers = {name for name, user in cast.role_users().items() if user.has_perm("accounts.view_family_member", sofia)}
    assert viewers == {"employee", "operator_admin"}
    assert not cast.employee_other_ugo.has_perm("accounts.change_family_member", sofia)


def test_hr_sees_only_employees_of_their_company(cast):
    assert cast.hr_bruno.has_perm("accounts.view_employee", cast.employee_anna)
    assert not cast.hr_bruno.has_perm("accounts.view_employee", cast.employee_other_ugo)
    assert not cast.employee_other_ugo.has_perm("accounts.view_employee", cast.employee_anna)
