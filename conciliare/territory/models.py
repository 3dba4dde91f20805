from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    """An 'ambito distrettuale': municipalities that plan social services together."""

    code = models.PositiveSmallIntegerField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Municipality(models.Model):
    """A 'comune'. Those outside the alliance's districts have no district."""

    istat_code = models.CharField(_("ISTAT code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    district = models.ForeignKey(
        District,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipalities",
    )
    province = models.CharField(_("province"), max_length=2)
    latitude = models.DecimalField(_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(_("longitude"), max_digits=8, decimal_places=5)
    population = models.PositiveIntegerField(_("population"))
    postal_code = models.CharField(_("postal code"), max_length=60, help_text=_("Several codes are joined by ';'."))
    boundary = models.JSONField(_("boundary"), help_text=_("GeoJSON Polygon, WGS84 longitude/latitude."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=Q(istat_code__regex=r"^[0-9]{6}$"), name="municipality_istat_code_six_digits"
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="municipality_coordinates_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_alliance(self) -> bool:
        return self.district_id is not None
