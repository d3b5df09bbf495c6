"""The outbox in Django's admin (/django-admin/): read-only, for operators to see what waits."""

from django.contrib import admin

from .models import Message


class SentFilter(admin.SimpleListFilter):
    title = "sent"
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [("no", "Waiting"), ("yes", "Sent")]

    def queryset(self, request, queryset):
        if self.value() in ("no", "yes"):
            return queryset.filter(sent_at__isnull=self.value() == "no")
        return queryset


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "task", "args", "created_at", "sent_at", "attempts", "next_attempt_at"]
    list_filter = [SentFilter, "task"]
    readonly_fields = [field.name for field in Message._meta.fields]
    ordering = ["-id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
