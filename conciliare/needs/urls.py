from django.urls import path

from . import views_gaps, views_recommendations, views_survey

app_name = "needs"

urlpatterns = [
    # Surveys: employees answer; the alliance (operator) and companies (HR) publish and read aggregates
    path("bisogni/questionari/", views_survey.survey_list, name="surveys"),
    path("bisogni/questionari/nuovo/", views_survey.survey_new, name="survey_new"),
    path("bisogni/questionari/<int:survey_id>/", views_survey.survey_answer, name="survey_answer"),
    path("bisogni/questionari/<int:survey_id>/risultati/", views_survey.survey_results, name="survey_results"),
    # The employee's own recommendations
    path("per-te/", views_recommendations.for_me, name="for_me"),
    # The territorial gap analysis (alliance roles)
    path("territorio/mappa-dei-bisogni/", views_gaps.gap_map, name="gap_map"),
    path("territorio/mappa-dei-bisogni/tabella.csv", views_gaps.gap_csv, name="gap_csv"),
    path("territorio/mappa-dei-bisogni/tabella.xlsx", views_gaps.gap_xlsx, name="gap_xlsx"),
    path("territorio/mappa-dei-bisogni/mappa.pdf", views_gaps.gap_pdf, name="gap_pdf"),
]
