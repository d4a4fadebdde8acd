"""App configs that give the admin plain names: the service's admin site, and third-party apps' names.

Listed in ``INSTALLED_APPS`` in place of the apps' own configs; their labels, and so their tables and
migrations, stay the same.
"""

import pghistory.apps
from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticDeviceConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPDeviceConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "scr_register.admin_site.AdminSite"

    def ready(self):
        super().ready()  # every app's admin module has registered its models
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice

        # Backup codes are issued afresh whenever an authenticator is set up again (service/two_factor.py, _confirm):
        # resetting a user's TOTP device is all an admin does (docs/DEPLOYMENT.md).
        if admin.site.is_registered(StaticDevice):
            admin.site.unregister(StaticDevice)


class TwoFactorConfig(TOTPDeviceConfig):
    verbose_name = "Two-factor sign-in"


class BackupCodesConfig(StaticDeviceConfig):
    verbose_name = "Two-factor backup codes"


class AuditTrailConfig(pghistory.apps.PGHistoryConfig):
    verbose_name = "Audit trail"


class SignInAttemptsConfig(AxesAppConfig):
    verbose_name = "Sign-in attempts"
