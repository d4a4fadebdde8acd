# Labels and help the forms show come from the fields now (Django state only: no SQL).

from django.db import migrations, models

import reviews.validators


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0020_date_order_stated_once"),
    ]

    operations = [
        migrations.AlterField(
            model_name="agencyinvolvement",
            name="imr_submitted",
            field=models.BooleanField(
                default=False, verbose_name="the agency wrote an individual management review (IMR)"
            ),
        ),
        migrations.AlterField(
            model_name="agencyinvolvementevent",
            name="imr_submitted",
            field=models.BooleanField(
                default=False, verbose_name="the agency wrote an individual management review (IMR)"
            ),
        ),
        migrations.AlterField(
            model_name="child",
            name="age_band",
            field=models.CharField(
                choices=[
                    ("unborn", "Unborn"),
                    ("under_1", "Under 1 year"),
                    ("1_to_5", "1 to 5 years"),
                    ("6_to_10", "6 to 10 years"),
                    ("11_to_15", "11 to 15 years"),
                    ("16_plus", "16 years and over"),
                    ("not_known", "Not known"),
                ],
                default="not_known",
                max_length=10,
                verbose_name="age",
            ),
        ),
        migrations.AlterField(
            model_name="child",
            name="child_protection_plan",
            field=models.BooleanField(blank=True, null=True, verbose_name="on a child protection plan?"),
        ),
        migrations.AlterField(
            model_name="child",
            name="ethnicity",
            field=models.CharField(
                blank=True,
                choices=[
                    ("WBRI", "White - British"),
                    ("WIRI", "White - Irish"),
                    ("WIRT", "Traveller of Irish heritage"),
                    ("WROM", "Gypsy / Roma"),
                    ("WOTH", "Any other White background"),
                    ("MWBC", "White and Black Caribbean"),
                    ("MWBA", "White and Black African"),
                    ("MWAS", "White and Asian"),
                    ("MOTH", "Any other mixed background"),
                    ("AIND", "Indian"),
                    ("APKN", "Pakistani"),
                    ("ABAN", "Bangladeshi"),
                    ("AOTH", "Any other Asian background"),
                    ("BCRB", "Black Caribbean"),
                    ("BAFR", "Black - African"),
                    ("BOTH", "Any other Black background"),
                    ("CHNE", "Chinese"),
                    ("OOTH", "Any other ethnic group"),
                    ("REFU", "Refused"),
                    ("NOBT", "Information not yet obtained"),
                ],
                max_length=4,
            ),
        ),
        migrations.AlterField(
            model_name="child",
            name="known_to_social_care",
            field=models.BooleanField(blank=True, null=True, verbose_name="known to children's social care?"),
        ),
        migrations.AlterField(
            model_name="child",
            name="looked_after",
            field=models.BooleanField(blank=True, null=True, verbose_name="looked after by the local authority?"),
        ),
        migrations.AlterField(
            model_name="childevent",
            name="age_band",
            field=models.CharField(
                choices=[
                    ("unborn", "Unborn"),
                    ("under_1", "Under 1 year"),
                    ("1_to_5", "1 to 5 years"),
                    ("6_to_10", "6 to 10 years"),
                    ("11_to_15", "11 to 15 years"),
                    ("16_plus", "16 years and over"),
                    ("not_known", "Not known"),
                ],
                default="not_known",
                max_length=10,
                verbose_name="age",
            ),
        ),
        migrations.AlterField(
            model_name="childevent",
            name="child_protection_plan",
            field=models.BooleanField(blank=True, null=True, verbose_name="on a child protection plan?"),
        ),
        migrations.AlterField(
            model_name="childevent",
            name="ethnicity",
            field=models.CharField(
                blank=True,
                choices=[
                    ("WBRI", "White - British"),
                    ("WIRI", "White - Irish"),
                    ("WIRT", "Traveller of Irish heritage"),
                    ("WROM", "Gypsy / Roma"),
                    ("WOTH", "Any other White background"),
                    ("MWBC", "White and Black Caribbean"),
                    ("MWBA", "White and Black African"),
                    ("MWAS", "White and Asian"),
                    ("MOTH", "Any other mixed background"),
                    ("AIND", "Indian"),
                    ("APKN", "Pakistani"),
                    ("ABAN", "Bangladeshi"),
                    ("AOTH", "Any other Asian background"),
                    ("BCRB", "Black Caribbean"),
                    ("BAFR", "Black - African"),
                    ("BOTH", "Any other Black background"),
                    ("CHNE", "Chinese"),
                    ("OOTH", "Any other ethnic group"),
                    ("REFU", "Refused"),
                    ("NOBT", "Information not yet obtained"),
                ],
                max_length=4,
            ),
        ),
        migrations.AlterField(
            model_name="childevent",
            name="known_to_social_care",
            field=models.BooleanField(blank=True, null=True, verbose_name="known to children's social care?"),
        ),
        migrations.AlterField(
            model_name="childevent",
            name="looked_after",
            field=models.BooleanField(blank=True, null=True, verbose_name="looked after by the local authority?"),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="completed_date",
            field=models.DateField(
                help_text="This decides the reporting year the evaluation counts in",
                verbose_name="date the evaluation was completed",
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="family_involvement",
            field=models.CharField(
                blank=True,
                choices=[
                    ("outstanding", "Outstanding"),
                    ("good", "Good"),
                    ("adequate", "Adequate"),
                    ("inadequate", "Inadequate"),
                ],
                max_length=12,
                verbose_name="involvement of the family",
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="overview_and_imrs",
            field=models.CharField(
                blank=True,
                choices=[
                    ("outstanding", "Outstanding"),
                    ("good", "Good"),
                    ("adequate", "Adequate"),
                    ("inadequate", "Inadequate"),
                ],
                max_length=12,
                verbose_name="overview report and individual management reviews",
            ),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="received_date",
            field=models.DateField(help_text="For example, 27 3 2008", verbose_name="date Ofsted received the review"),
        ),
        migrations.AlterField(
            model_name="evaluation",
            name="summary",
            field=models.TextField(
                blank=True,
                max_length=5000,
                validators=[reviews.validators.validate_xml_text],
                verbose_name="summary of the evaluation",
            ),
        ),
        migrations.AlterField(
            model_name="evaluationevent",
            name="completed_date",
            field=models.DateField(
                help_text="This decides the reporting year the evaluation counts in",
                verbose_name="date the evaluation was completed",
            ),
        ),
        migrations.AlterField(
            model_name="evaluationevent",
            name="family_involvement",
            field=models.CharField(
                blank=True,
                choices=[
                    ("outstanding", "Outstanding"),
                    ("good", "Good"),
                    ("adequate", "Adequate"),
                    ("inadequate", "Inadequate"),
                ],
                max_length=12,
                verbose_name="involvement of the family",
            ),
        ),
        migrations.AlterField(
            model_name="evaluationevent",
            name="overview_and_imrs",
            field=models.CharField(
                blank=True,
                choices=[
                    ("outstanding", "Outstanding"),
                    ("good", "Good"),
                    ("adequate", "Adequate"),
                    ("inadequate", "Inadequate"),
                ],
                max_length=12,
                verbose_name="overview report and individual management reviews",
            ),
        ),
        migrations.AlterField(
            model_name="evaluationevent",
            name="received_date",
            field=models.DateField(help_text="For example, 27 3 2008", verbose_name="date Ofsted received the review"),
        ),
        migrations.AlterField(
            model_name="evaluationevent",
            name="summary",
            field=models.TextField(
                blank=True,
                max_length=5000,
                validators=[reviews.validators.validate_xml_text],
                verbose_name="summary of the evaluation",
            ),
        ),
        migrations.AlterField(
            model_name="review",
            name="completed_date",
            field=models.DateField(
                blank=True,
                help_text="Leave blank until the overview report is agreed. You need it to submit the review.",
                null=True,
                verbose_name="date the review was completed",
            ),
        ),
        migrations.AlterField(
            model_name="review",
            name="decision_date",
            field=models.DateField(
                blank=True,
                help_text="For example, 27 3 2008",
                null=True,
                verbose_name="date of the decision to hold the review",
            ),
        ),
        migrations.AlterField(
            model_name="review",
            name="incident_date",
            field=models.DateField(
                blank=True, help_text="For example, 27 3 2008", null=True, verbose_name="date of the incident"
            ),
        ),
        migrations.AlterField(
            model_name="review",
            name="independent_author",
            field=models.BooleanField(
                blank=True, null=True, verbose_name="was the author of the overview report independent?"
            ),
        ),
        migrations.AlterField(
            model_name="review",
            name="independent_chair",
            field=models.BooleanField(
                blank=True, null=True, verbose_name="was the chair of the review panel independent?"
            ),
        ),
        migrations.AlterField(
            model_name="review",
            name="reference",
            field=models.CharField(
                help_text="Leave blank to be given one, like SCR-2008-E08000025-0001. A reference you choose must include the lead board's GSS code.",
                max_length=40,
                unique=True,
                validators=[reviews.validators.validate_xml_text],
            ),
        ),
        migrations.AlterField(
            model_name="review",
            name="summary",
            field=models.TextField(
                blank=True,
                help_text="What happened and what the review found, without naming anyone. You need it to submit the review.",
                max_length=5000,
                validators=[reviews.validators.validate_xml_text],
            ),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="completed_date",
            field=models.DateField(
                blank=True,
                help_text="Leave blank until the overview report is agreed. You need it to submit the review.",
                null=True,
                verbose_name="date the review was completed",
            ),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="decision_date",
            field=models.DateField(
                blank=True,
                help_text="For example, 27 3 2008",
                null=True,
                verbose_name="date of the decision to hold the review",
            ),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="incident_date",
            field=models.DateField(
                blank=True, help_text="For example, 27 3 2008", null=True, verbose_name="date of the incident"
            ),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="independent_author",
            field=models.BooleanField(
                blank=True, null=True, verbose_name="was the author of the overview report independent?"
            ),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="independent_chair",
            field=models.BooleanField(
                blank=True, null=True, verbose_name="was the chair of the review panel independent?"
            ),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="reference",
            field=models.CharField(
                help_text="Leave blank to be given one, like SCR-2008-E08000025-0001. A reference you choose must include the lead board's GSS code.",
                max_length=40,
                validators=[reviews.validators.validate_xml_text],
            ),
        ),
        migrations.AlterField(
            model_name="reviewevent",
            name="summary",
            field=models.TextField(
                blank=True,
                help_text="What happened and what the review found, without naming anyone. You need it to submit the review.",
                max_length=5000,
                validators=[reviews.validators.validate_xml_text],
            ),
        ),
    ]
