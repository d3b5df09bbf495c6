"""Who may do what in the admin: the Editors and Instructors groups, each course's own group
and collection, and the "Course review" workflow. All through Wagtail's own permissions.

- **Editors** (the group Wagtail's first migration creates) edit and publish every page,
  approve or reject in the workflow and manage every collection's images, documents and media.
- **Instructors** get the admin and no page permissions of their own. Wagtail's "add" on
  the catalogue would let them add pages inside every course, so an instructor starts a
  course with ``start_course`` (the admin's "New course" view) and edits it through the
  course's group from then on.
- **Each course** gets a group "Course <id> instructors" with "add" and "change" on the course
  page (its whole subtree, no "publish": they submit for moderation) and add/change/choose on
  the course's collection. Its members are the accounts linked to the course's instructors,
  recomputed by ``sync_course_access`` whenever the course, its instructors or a link change.

The ``ensure_*`` functions take an app registry so the data migrations can run them on
historical models; the signal handlers pass the real one. All are idempotent.
"""

from django.apps import apps as global_apps
from django.db import transaction

EDITORS = "Editors"
INSTRUCTORS = "Instructors"
WORKFLOW = "Course review"
REVIEW_TASK = "Editors approve the course"

EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
COURSE_PAGE_PERMISSIONS = ["add_page", "change_page"]
# (app label, model, codenames) Wagtail's collection permission policies check.
COURSE_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", ["add_image", "change_image", "choose_image"]),
    ("wagtaildocs", "document", ["add_document", "change_document", "choose_document"]),
    ("wagtailmedia", "media", ["add_media", "change_media"]),
    ("packages", "contentpackage", ["add_contentpackage", "change_contentpackage", "choose_contentpackage"]),
]
EDITOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", ["add_image", "change_image", "choose_image", "delete_image"]),
    ("wagtaildocs", "document", ["add_document", "change_document", "choose_document", "delete_document"]),
    ("wagtailmedia", "media", ["add_media", "change_media", "delete_media"]),
    (
        "packages",
        "contentpackage",
        ["add_contentpackage", "change_contentpackage", "choose_contentpackage", "delete_contentpackage"],
    ),
]


def _permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": f"Can {codename.replace('_', ' ')}"}
    )
    return permission


def _grant_pages(apps, group, page_id, codenames):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(
            group=group, page_id=page_id, permission=_permission(apps, "wagtailcore", "page", codename)
        )


def _grant_collection(apps, group, collection_id, spec):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    for app_label, model, codenames in spec:
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection_id=collection_id,
                permission=_permission(apps, app_label, model, codename),
            )


def ensure_groups(apps=global_apps):
    """Create or complete the Editors and Instructors groups and their permissions."""
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    access_admin = _permission(apps, "wagtailadmin", "admin", "access_admin")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    instructors, _ = Group.objects.get_or_create(name=INSTRUCTORS)
    editors.permissions.add(access_admin)
    instructors.permissions.add(access_admin)
    # Editors and moderators revoke certificates and correct their names (Snippets > Certificates):
    # kept here too, not only in the data migration, so a flushed database gets them back.
    for codename in ("view_certificate", "change_certificate"):
        permission = _permission(apps, "courses", "certificate", codename)
        for group in Group.objects.filter(name__in=[EDITORS, "Moderators"]):
            group.permissions.add(permission)
    root_page = Page.objects.filter(depth=1).first()
    if root_page is not None:
        _grant_pages(apps, editors, root_page.pk, EDITOR_PAGE_PERMISSIONS)
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is not None:
        _grant_collection(apps, editors, root_collection.pk, EDITOR_COLLECTION_PERMISSIONS)
    return editors, instructors


def _catalogue_ids(apps):
    return list(apps.get_model("courses", "CourseIndexPage").objects.values_list("pk", flat=True))


def ensure_workflow(apps=global_apps):
    """The "Course review" workflow (one Editors approval task), assigned to every catalogue page."""
    Group = apps.get_model("auth", "Group")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW, defaults={"active": True})
    # Its type is courses.CourseReviewTask (a proxy: the same table), which asks before approving
    # what students could not use (courses/models/review.py).
    content_type, _ = ContentType.objects.get_or_create(app_label="courses", model="coursereviewtask")
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK, content_type=content_type, active=True)
    elif task.content_type_id != content_type.pk:
        type(task).objects.filter(pk=task.pk).update(content_type=content_type)
    task.groups.add(editors)
    WorkflowTask.objects.get_or_create(workflow=workflow, task_id=task.pk, defaults={"sort_order": 0})
    for catalogue_id in _catalogue_ids(apps):
        WorkflowPage.objects.update_or_create(page_id=catalogue_id, defaults={"workflow": workflow})
    return workflow


def set_up_catalogue(catalogue):
    """Put a new catalogue's courses under review."""
    ensure_workflow()


# --- Each course's group and collection ----------------------------------------------------


def course_group_name(course):
    return f"Course {course.pk} instructors"


def course_instructor_users(course):
    """The active accounts linked to the instructors of ``course`` as saved now."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model().objects.filter(is_active=True, instructor_profile__courses__pk=course.pk).distinct()
    )


@transaction.atomic
def sync_course_access(course):
    """Make ``course``'s group, permissions and collection exist, and its members be exactly
    the accounts linked to its instructors (so removing a link removes the access)."""
    from django.contrib.auth.models import Group
    from wagtail.models import Collection

    from .models import CourseAccess

    access = CourseAccess.objects.select_related("group", "collection").filter(course_id=course.pk).first()
    if access is None:
        group, _ = Group.objects.get_or_create(name=course_group_name(course))
        root = Collection.get_first_root_node()
        collection = root.add_child(name=_collection_name(course, root))
        access = CourseAccess.objects.create(course_id=course.pk, group=group, collection=collection)
    if access.collection is None:
        root = Collection.get_first_root_node()
        access.collection = root.add_child(name=_collection_name(course, root))
        access.save(update_fields=["collection"])
    _grant_pages(global_apps, access.group, course.pk, COURSE_PAGE_PERMISSIONS)
    _grant_collection(global_apps, access.group, access.collection_id, COURSE_COLLECTION_PERMISSIONS)
    users = list(course_instructor_users(course))
    access.group.user_set.set(users)
    if users:
        instructors = Group.objects.get_or_create(name=INSTRUCTORS)[0]
        instructors.user_set.add(*users)
    return access


def _collection_name(course, root):
    """The course's title, made unique among the root's children with its id when taken."""
    name = course.title[:240]
    if root.get_children().filter(name=name).exists():
        name = f"{name} ({course.pk})"
    return name


def set_instructor_account(user_id, previous_user_id=None):
    """An account linked to an Instructor joins the Instructors group (the admin, nothing
    more); the account the link was taken from leaves it."""
    from django.contrib.auth.models import Group

    group = Group.objects.get_or_create(name=INSTRUCTORS)[0]
    if previous_user_id and previous_user_id != user_id:
        group.user_set.remove(previous_user_id)
    if user_id:
        group.user_set.add(user_id)


def may_start_course(user):
    """Whether ``user`` may start a course with ``start_course``: an active instructor with
    a linked Instructor profile and admin access."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.has_perm("wagtailadmin.access_admin")
        and getattr(user, "instructor_profile", None) is not None
    )


@transaction.atomic
def start_course(user, catalogue, title, summary):
    """Create a draft course in ``catalogue`` taught and owned by ``user``; return it.

    Its group gives ``user`` the course's subtree and collection at once; publishing goes
    through the "Course review" workflow like any edit.
    """
    from django.utils.text import slugify

    from .models import CoursePage

    base = slugify(title)[:200] or "course"
    slug, n = base, 1
    while catalogue.get_children().filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    course = CoursePage(title=title, slug=slug, summary=summary, live=False, owner=user)
    catalogue.add_child(instance=course)
    course.instructors.set([user.instructor_profile])
    course.save()
    course.save_revision(user=user, log_action=True)
    return course


def course_ids_taught_by(user):
    """Ids of the courses ``user`` is linked to as an instructor."""
    if not getattr(user, "is_authenticated", False):
        return set()
    from .models import CoursePage

    return set(CoursePage.objects.filter(instructors__user=user).values_list("pk", flat=True))


def sees_every_course(user):
    """Whether ``user``'s admin listings show every course: superusers and those who may
    publish any course (Editors, Moderators)."""
    from wagtail.permission_policies.pages import PagePermissionPolicy

    from .models import CourseIndexPage

    if user.is_superuser:
        return True
    policy = PagePermissionPolicy()
    return any(
        policy.user_has_permission_for_instance(user, "publish", catalogue)
        for catalogue in CourseIndexPage.objects.all()
    )


def visible_courses(user, courses):
    """``courses`` (a CoursePage queryset) narrowed to those ``user`` teaches or started,
    unless they see every course: what an instructor's reports and panels list."""
    from django.db.models import Q

    if sees_every_course(user):
        return courses
    return courses.filter(Q(pk__in=course_ids_taught_by(user)) | Q(owner=user))
