from django.contrib import admin
from unfold.admin import ModelAdmin

from .models import District, Municipality


@admin.register(District)
class DistrictAdmin(ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(ModelAdmin):
    list_display = ["name", "istat_code", "district", "province", "population", "postal_code"]
    list_filter = ["district", "province"]
    search_fields = ["name", "istat_code"]
    exclude = ["boundary"]
