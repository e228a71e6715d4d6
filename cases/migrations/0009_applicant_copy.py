"""The applicant's copy of the receipt: the return code is printed once, at acceptance.

Receipts cached before this carry the return code on the applicant's copy: they are removed
(the cache is re-rendered on demand, masked)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def forget_cached_receipts(apps, schema_editor):
    from django.core.files.storage import default_storage

    def remove(folder: str) -> None:
        try:
            folders, files = default_storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError):
            return
        for name in files:
            default_storage.delete(f"{folder}/{name}")
        for name in folders:
            remove(f"{folder}/{name}")

    remove("receipts")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_client_fingerprint'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApplicantCopy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('entry', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='applicant_copy', to='cases.registerentry')),
                ('issued_at', models.DateTimeField()),
                ('issued_to', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'applicant copies',
            },
        ),
        migrations.RunPython(forget_cached_receipts, migrations.RunPython.noop, elidable=True),
    ]
