import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0009_refill_daily_counts_concluded"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RateRuleSet",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField(unique=True, verbose_name="version")),
                ("valid_from", models.DateField(verbose_name="valid from")),
                (
                    "basically_weight",
                    models.DecimalField(
                        decimal_places=3,
                        max_digits=4,
                        verbose_name="weight of “basically satisfied” (基本满意)",
                    ),
                ),
                ("previous_weight", models.DecimalField(blank=True, decimal_places=3, max_digits=4, null=True)),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="source or reason")),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "rules of the three rates",
                "verbose_name_plural": "rules of the three rates",
                "ordering": ["-valid_from", "-version"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("basically_weight__gte", 0), ("basically_weight__lte", 1)),
                        name="rate_rules_weight_0_1",
                    )
                ],
            },
        ),
    ]
