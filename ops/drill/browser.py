"""A small browser for the drill: cookies kept, no redirects followed."""

import http.client
import re
import urllib.parse


class Page:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body


class Browser:
    """Enough of a browser for the forms: keeps cookies, sends Origin on POST, says it came over HTTPS."""

    def __init__(self, base, cookies=None):
        self.base = base
        self.cookies = dict(cookies or {})

    def at(self, base):
        return Browser(base, self.cookies)

    def clone(self):
        return Browser(self.base, self.cookies)

    def _request(self, method, path, body=None):
        parts = urllib.parse.urlsplit(self.base)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {"X-Forwarded-Proto": "https", "User-Agent": "scr-scale-out-drill"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://{parts.hostname}:{parts.port}"
            headers["Referer"] = f"https://{parts.hostname}:{parts.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie_name, _, rest = value.partition("=")
                    cookie_value = rest.split(";", 1)[0]
                    if cookie_value in ('""', "") or "max-age=0" in value.lower():
                        self.cookies.pop(cookie_name, None)
                    else:
                        self.cookies[cookie_name] = cookie_value
            return Page(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def get(self, path):
        return self._request("GET", path)

    def follow(self, response, limit=5):
        """Follow a response's redirects (same server): the last path and its page."""
        path = ""
        while response.status in (301, 302, 303) and limit:
            location = urllib.parse.urlsplit(response.headers.get("Location", ""))
            path = location.path + (f"?{location.query}" if location.query else "")
            response = self.get(path)
            limit -= 1
        return path, response

    def post(self, path, data):
        return self._request("POST", path, urllib.parse.urlencode(data))


def csrf_token(html):
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match:
        raise ValueError("no CSRF token on the page")
    return match.group(1).decode()
