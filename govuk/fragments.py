"""``{% cache "name", vary_on %}...{% endcache %}``: Django's template fragment cache for the Jinja2 pages.

The same mechanism as the Django template language's ``{% cache %}`` tag, written as the extension Jinja2's
documentation gives for it: the fragment's rendered markup is kept in Django's default cache under
``make_template_fragment_key(name, vary_on)``, so ``django.core.cache.utils`` can name (and delete) the key.
``vary_on`` is a list of everything the fragment's markup depends on; the view that renders the page decides
what that is. ``None`` renders the fragment without the cache (for a fragment that should not be kept, such
as one showing a form's errors). Entries live for the cache's default timeout.
"""

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from jinja2 import nodes
from jinja2.ext import Extension


class FragmentCacheExtension(Extension):
    tags = {"cache"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        name = parser.parse_expression()
        parser.stream.expect("comma")
        vary_on = parser.parse_expression()
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_cached", [name, vary_on]), [], [], body).set_lineno(lineno)

    def _cached(self, name, vary_on, caller):
        """The fragment's markup from the cache, rendered and kept when the cache has none."""
        if vary_on is None:
            return caller()
        key = make_template_fragment_key(name, vary_on)
        markup = cache.get(key)
        if markup is None:
            markup = caller()
            cache.set(key, markup)
        return markup
