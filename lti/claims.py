"""LTI 1.3 claim names and role vocabularies (1EdTech LTI Core 1.3, Deep Linking 2.0, AGS 2.0, NRPS 2.0)."""

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
CONTEXT = LTI + "context"
ROLES = LTI + "roles"
CUSTOM = LTI + "custom"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
TOOL_PLATFORM = LTI + "tool_platform"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
DL_MESSAGE = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
MESSAGE_TYPES = {RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST}

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

# Context roles (LTI 1.3 §A.2.2), full URIs and the short forms the spec also allows.
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
STAFF_CONTEXT_ROLES = ("Instructor", "ContentDeveloper", "Administrator")
# System and institution administrators launching without a context role (a Canvas admin).
STAFF_WIDE_ROLES = (
    "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator",
    "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
)


def is_staff_role(role):
    """Whether one role URI gives the instructor's view: Instructor (and its sub-roles, such as
    TeachingAssistant), ContentDeveloper or Administrator of the context, or a system or
    institution administrator. Learner, Mentor and everything else get the student's view."""
    if role in STAFF_WIDE_ROLES:
        return True
    for name in STAFF_CONTEXT_ROLES:
        if role in (name, f"{MEMBERSHIP}#{name}") or role.startswith(f"{MEMBERSHIP}/{name}#"):
            return True
    return False


def is_instructor(roles):
    """Whether a launch's (or a roster member's) ``roles`` give the instructor's view."""
    return any(is_staff_role(role) for role in roles or () if isinstance(role, str))
