from django.urls import URLPattern, URLResolver, include, path

from gazette.desk.views import (
    auth,
    comments,
    editor,
    exports,
    fediverse,
    images,
    imports,
    pages,
    people,
    personal_data,
    posts,
    revisions,
    settings,
    trash,
    two_factor,
)

POST, PAGE = {"kind": posts.POST}, {"kind": pages.PAGE}

app_name = "desk"
desk_patterns: list[URLPattern | URLResolver] = [
    path("", posts.post_list, name="posts"),
    path("sign-in/", auth.sign_in, name="sign_in"),
    path("sign-out/", auth.sign_out, name="sign_out"),
    # Your account (sessions, password) and "forgot your password?".
    path("", include("gazette.accounts.urls")),
    # Posts and pages share the editor; the kind says what differs.
    path("posts/new/", editor.new_entry, POST, name="post_new"),
    path("posts/autosave/", editor.autosave_entry, POST, name="post_autosave"),
    path("posts/<int:pk>/", editor.edit_entry, POST, name="post_edit"),
    path("posts/<int:pk>/autosave/", editor.autosave_entry, POST, name="post_autosave"),
    path("posts/<int:pk>/revisions/", revisions.post_revisions, name="post_revisions"),
    path("posts/<int:pk>/preview-link/", posts.preview_link, name="preview_link"),
    path("posts/<int:pk>/trash/", posts.post_trash, name="post_trash"),
    path("preview/", posts.render_preview, name="render_preview"),
    path("revisions/<int:pk>/restore/", revisions.restore, name="restore"),
    path("pages/", pages.page_list, name="pages"),
    path("pages/new/", editor.new_entry, PAGE, name="page_new"),
    path("pages/autosave/", editor.autosave_entry, PAGE, name="page_autosave"),
    path("pages/<int:pk>/", editor.edit_entry, PAGE, name="page_edit"),
    path("pages/<int:pk>/autosave/", editor.autosave_entry, PAGE, name="page_autosave"),
    path("pages/<int:pk>/revisions/", revisions.page_revisions, name="page_revisions"),
    path("pages/<int:pk>/trash/", pages.page_trash, name="page_trash"),
    path("comments/", comments.queue, name="comments"),
    path("comments/blocked/", comments.block_rules, name="block_rules"),
    path(
        "comments/blocked/<int:pk>/delete/",
        comments.delete_block_rule,
        name="delete_block_rule",
    ),
    path("images/", images.image_library, name="images"),
    path("trash/", trash.trash, name="trash"),
    path("trash/posts/<int:pk>/restore/", trash.post_restore, name="post_restore"),
    path("trash/pages/<int:pk>/restore/", trash.page_restore, name="page_restore"),
    path("settings/", settings.site_settings, name="settings"),
    path("import/", imports.import_start, name="import"),
    path("import/<int:pk>/", imports.import_job, name="import_job"),
    path("import/<int:pk>/start/", imports.import_run, name="import_run"),
    path("export/", exports.export_download, name="export"),
    path("people/", people.people, name="people"),
    path("people/new/", people.person_new, name="person_new"),
    path("people/<int:pk>/role/", people.set_role, name="set_role"),
    path("people/<int:pk>/sign-out/", people.sign_out_person, name="sign_out_person"),
    path("personal-data/", personal_data.personal_data, name="personal_data"),
    path("fediverse/", fediverse.fediverse, name="fediverse"),
    path("fediverse/block/", fediverse.block_domain, name="block_domain"),
    path(
        "fediverse/blocked/<int:pk>/unblock/",
        fediverse.unblock_domain,
        name="unblock_domain",
    ),
    path(
        "fediverse/followers/<int:pk>/remove/",
        fediverse.remove_follower,
        name="remove_follower",
    ),
    path(
        "fediverse/followers/<int:pk>/block/",
        fediverse.block_follower,
        name="block_follower",
    ),
    path(
        "fediverse/requests/<int:pk>/accept/",
        fediverse.accept_request,
        name="accept_follow_request",
    ),
    path(
        "fediverse/requests/<int:pk>/decline/",
        fediverse.decline_request,
        name="decline_follow_request",
    ),
    path(
        "fediverse/blocked-accounts/<int:pk>/unblock/",
        fediverse.unblock_account,
        name="unblock_account",
    ),
    # Two-factor sign-in: the code that finishes a sign-in, and turning it on/off.
    path("sign-in/code/", two_factor.sign_in_code, name="sign_in_code"),
    path("account/two-factor/", two_factor.two_factor, name="two_factor"),
    path(
        "account/two-factor/recovery-codes/",
        two_factor.new_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("account/two-factor/off/", two_factor.turn_off, name="two_factor_off"),
]
# The desk lives under /desk/; a shared preview link is outside it, as reviewers
# who follow one have no account.
urlpatterns = [
    path("desk/", include(desk_patterns)),
    path("preview/<str:token>/", posts.shared_preview, name="shared_preview"),
]
