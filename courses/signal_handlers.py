"""Signal handlers of the courses app, connected in ``CoursesConfig.ready()``.

Each course's group and collection follow its instructors (``courses.roles``), and changes
to what course pages show (categories, instructors, images) drop the cached pages.

The course's own domain signals (``courses.signals``) start the work that follows them: a new
enrollment is confirmed by email, a completed course gets its certificate. The core that
records those events never calls that work itself. The listeners write the task to the outbox
(``outbox.services.enqueue``), so a broker outage delays it and never loses it, and never
reaches the request. The signals are sent after the event's transaction commits, so that write
is a transaction of its own, right after it; the recovery sweep (``courses/recovery.py``)
covers the gap between the two (a process killed in between, the database lost right then).

Connected in ``CoursesConfig.ready``. A course's instructors reach the database when the
page row is saved (creation, publishing): modelcluster then adds and removes rows of the
``instructors`` through table, which sends ``m2m_changed``.
"""

from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete, pre_save
from wagtail.images import get_image_model

from outbox.services import enqueue
from pagetree.services import bump_content_version

from . import roles, scheduling, signals, tasks
from .models import Category, CourseAccess, CourseIndexPage, CoursePage, Enrollment, Instructor
from .progress import learner_records_changed


def course_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created or not CourseAccess.objects.filter(course_id=instance.pk).exists():
        roles.sync_course_access(instance)


def course_instructors_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:
        # instructor.courses.add(...): ``instance`` is the instructor.
        courses = CoursePage.objects.filter(pk__in=pk_set) if pk_set else instance.courses.all()
    else:
        courses = [instance]
    for course in courses:
        roles.sync_course_access(course)


def instructor_saving(sender, instance, raw=False, **kwargs):
    previous = Instructor.objects.filter(pk=instance.pk).values_list("user_id", flat=True).first()
    instance._ringlet_previous_user_id = previous if instance.pk else None


def instructor_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    roles.set_instructor_account(instance.user_id, getattr(instance, "_ringlet_previous_user_id", None))
    for course in CoursePage.objects.filter(instructors=instance):
        roles.sync_course_access(course)


def instructor_deleting(sender, instance, **kwargs):
    # The through rows go with the instructor, without m2m_changed: remember the courses now.
    instance._ringlet_course_ids = list(instance.courses.values_list("pk", flat=True))


def instructor_deleted(sender, instance, **kwargs):
    roles.set_instructor_account(None, instance.user_id)
    for course in CoursePage.objects.filter(pk__in=getattr(instance, "_ringlet_course_ids", [])):
        roles.sync_course_access(course)


def course_access_deleted(sender, instance, **kwargs):
    from django.contrib.auth.models import Group

    Group.objects.filter(pk=instance.group_id).delete()


def catalogue_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        roles.set_up_catalogue(instance)


def keep_roles_in_step(sender, **kwargs):
    """After every ``migrate`` (and a test database flush): the groups, workflow and
    periodic task of the data migration, with the interval settings ask for now."""
    roles.ensure_groups()
    roles.ensure_workflow()
    scheduling.ensure_publish_schedule()


def course_details_changed(sender, **kwargs):
    """Course pages show categories, instructors and images: drop their cached details and pages."""
    bump_content_version()


def confirm_enrollment(sender, enrollment, **kwargs):
    """A new enrollment: email the confirmation (the task is idempotent and honours opt-outs)."""
    enqueue(tasks.send_enrollment_confirmation, enrollment.pk)


def issue_certificate(sender, user, course, **kwargs):
    """A completed course: issue, store and email its certificate (idempotent; one per student)."""
    enqueue(tasks.issue_certificate, user.pk, course.pk)


def learner_record_written(sender, instance, **kwargs):
    """An enrollment (or, connected by their apps, a completion or an attempt) was saved or
    deleted: the answers kept about its student go (``accounts.services.remember_for_user``)."""
    learner_records_changed(instance.user_id)


def connect(app_config):
    post_save.connect(learner_record_written, sender=Enrollment, dispatch_uid="courses.enrollment_saved")
    post_delete.connect(learner_record_written, sender=Enrollment, dispatch_uid="courses.enrollment_deleted")
    signals.enrolled.connect(confirm_enrollment, dispatch_uid="courses.confirm_enrollment")
    signals.course_completed.connect(issue_certificate, dispatch_uid="courses.issue_certificate")
    post_migrate.connect(keep_roles_in_step, sender=app_config, dispatch_uid="courses_roles_in_step")
    post_save.connect(course_saved, sender=CoursePage, dispatch_uid="courses_course_access")
    m2m_changed.connect(
        course_instructors_changed, sender=CoursePage.instructors.through, dispatch_uid="courses_instructors"
    )
    pre_save.connect(instructor_saving, sender=Instructor, dispatch_uid="courses_instructor_saving")
    post_save.connect(instructor_saved, sender=Instructor, dispatch_uid="courses_instructor_saved")
    pre_delete.connect(instructor_deleting, sender=Instructor, dispatch_uid="courses_instructor_deleting")
    post_delete.connect(instructor_deleted, sender=Instructor, dispatch_uid="courses_instructor_deleted")
    post_delete.connect(course_access_deleted, sender=CourseAccess, dispatch_uid="courses_access_deleted")
    post_save.connect(catalogue_saved, sender=CourseIndexPage, dispatch_uid="courses_catalogue_saved")
    for model in (Category, Instructor, get_image_model()):
        name = model._meta.label_lower
        post_save.connect(course_details_changed, sender=model, dispatch_uid=f"courses.details.{name}.saved")
        post_delete.connect(
            course_details_changed, sender=model, dispatch_uid=f"courses.details.{name}.deleted"
        )
