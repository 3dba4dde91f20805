"""Input and output shapes of the API. Domain rules live in forms and services, not here."""

from rest_framework import serializers

from conciliare.accounts.models import EmployeeImport, EmployeeProfile, FamilyMember, Relationship, User
from conciliare.territory.models import Municipality


class MunicipalityCodeField(serializers.SlugRelatedField):
    """A municipality by ISTAT code; text the database cannot hold (NUL) is a 400, not a 500."""

    def to_internal_value(self, data: object) -> Municipality:
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class MunicipalitySerializer(serializers.ModelSerializer):
    district = serializers.IntegerField(source="district.code", allow_null=True, read_only=True)

    class Meta:
        model = Municipality
        fields = ["istat_code", "name", "province", "district", "latitude", "longitude", "population", "postal_code"]


class EmploymentSerializer(serializers.ModelSerializer):
    company = serializers.CharField(source="company.name")
    company_id = serializers.IntegerField()
    workplace = serializers.CharField(source="workplace_municipality.name")

    class Meta:
        model = EmployeeProfile
        fields = ["company_id", "company", "workplace", "contract_category", "hire_date", "shift_worker"]


class ProfileOutputSerializer(serializers.ModelSerializer):
    residence_municipality: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="istat_code", read_only=True, allow_null=True
    )
    employment = EmploymentSerializer(source="employee_profile", read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = [
            "email",
            "first_name",
            "last_name",
            "fiscal_code",
            "birth_date",
            "residence_municipality",
            "phone",
            "employment",
        ]


class ProfileInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    fiscal_code = serializers.CharField(max_length=16, required=False)
    birth_date = serializers.DateField(required=False)
    residence_municipality = MunicipalityCodeField(
        slug_field="istat_code",
        queryset=Municipality.objects.all(),
        required=False,
        allow_null=True,
        help_text="ISTAT code of the municipality, e.g. 016126.",
    )
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class FamilyMemberOutputSerializer(serializers.ModelSerializer):
    has_certificate = serializers.SerializerMethodField()

    class Meta:
        model = FamilyMember
        fields = [
            "id",
            "relationship",
            "first_name",
            "last_name",
            "fiscal_code",
            "birth_date",
            "fiscally_dependent",
            "non_self_sufficient",
            "disability",
            "has_certificate",
        ]

    def get_has_certificate(self, obj: FamilyMember) -> bool:
        return bool(obj.non_self_sufficiency_certificate)


class FamilyMemberInputSerializer(serializers.Serializer):
    relationship = serializers.ChoiceField(choices=Relationship.choices)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    fiscal_code = serializers.CharField(max_length=16)
    birth_date = serializers.DateField()
    fiscally_dependent = serializers.BooleanField(required=False, default=False)
    non_self_sufficient = serializers.BooleanField(required=False, default=False)
    disability = serializers.BooleanField(required=False, default=False)


class EmployeeListSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    first_name = serializers.CharField(source="user.first_name")
    last_name = serializers.CharField(source="user.last_name")
    fiscal_code = serializers.CharField(source="user.fiscal_code", allow_null=True)
    workplace = serializers.CharField(source="workplace_municipality.istat_code")
    residence = serializers.CharField(source="user.residence_municipality.istat_code", allow_null=True, default=None)
    invited = serializers.SerializerMethodField()

    class Meta:
        model = EmployeeProfile
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "fiscal_code",
            "contract_category",
            "workplace",
            "residence",
            "hire_date",
            "invited",
        ]

    def get_invited(self, obj: EmployeeProfile) -> bool:
        """True while the person has not yet chosen a password."""
        return not obj.user.has_usable_password()


class EmployeeImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX, at most 5 MB and 5,000 rows.")


class ImportRowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    values = serializers.DictField(child=serializers.CharField(allow_blank=True))
    errors = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]


class ImportValidRowSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    values = serializers.DictField(child=serializers.CharField(allow_blank=True))
    warnings = serializers.ListField(child=serializers.CharField())


class EmployeeImportSerializer(serializers.ModelSerializer):
    valid_rows = ImportValidRowSerializer(many=True)
    row_errors = ImportRowErrorSerializer(many=True)

    class Meta:
        model = EmployeeImport
        fields = [
            "id",
            "file_name",
            "status",
            "created_at",
            "committed_at",
            "created_count",
            "updated_count",
            "valid_rows",
            "row_errors",
        ]
