from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0002_forget_cases_outbox_job'),
    ]

    operations = [
        migrations.CreateModel(
            name='TaskKey',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=120, unique=True)),
                ('result_id', models.CharField(blank=True, max_length=64)),
                ('backend', models.CharField(default='default', max_length=32)),
                ('enqueued_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
    ]
