"""Wagtail's admin chrome, made once (``eloket.admin_chrome``, used by ``wagtailadmin/base.html``), and the
nonces of its inline scripts (``eloket.admin_csp``)."""

from django import template

from eloket import admin_chrome, admin_csp

register = template.Library()


@register.simple_tag(takes_context=True)
def eloket_sidebar_props(context):
    return admin_chrome.sidebar_props(context)


@register.simple_tag(takes_context=True)
def eloket_keyboard_shortcuts_dialog(context):
    return admin_chrome.keyboard_shortcuts_dialog(context)


# Content-Security-Policy nonces for the admin's own inline scripts: see ``eloket.admin_csp``.


@register.simple_tag
def admin_script_nonce():
    """`` nonce="…"`` inside a ``<script>`` tag the admin writes itself."""
    return admin_csp.nonce_attribute()


@register.tag
def admin_nonce_scripts(parser, token):
    """``{% admin_nonce_scripts %}{{ block.super }}{% end_admin_nonce_scripts %}``: the nonce on every
    ``<script>`` of a block Wagtail or wagtail-localize wrote. Only for blocks whose values are escaped
    for JavaScript (``escapejs``, ``json_script``) or come from code (URLs, hooks, static files), so
    that no value can open a script of its own."""
    nodelist = parser.parse(("end_admin_nonce_scripts",))
    parser.delete_first_token()
    return NonceScriptsNode(nodelist)


class NonceScriptsNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return admin_csp.nonce_scripts(self.nodelist.render(context))
