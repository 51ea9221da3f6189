"""Reading a Wagtail admin form back into POST data, as a browser would send it."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._select = None
        self._option_value = None
        self._select_has_value = False
        self._textarea = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image"):
                self.data.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_has_value = name, False
        elif tag == "option" and self._select:
            if "selected" in attrs:
                self.data.append((self._select, attrs.get("value", "")))
                self._select_has_value = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            self.data.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_data(html: str) -> dict:
    """name → value (or list of values) of the edit form's fields."""
    parser = _FormParser()
    parser.feed(html)
    data: dict = {}
    for name, value in parser.data:
        if name in data:
            data[name] = data[name] if isinstance(data[name], list) else [data[name]]
            data[name].append(value)
        else:
            data[name] = value
    return data


def field_prefix(data: dict, clean_name: str) -> str:
    """The formset prefix (form_fields-N) of the question mapped to `clean_name`."""
    for name, value in data.items():
        if name.startswith("form_fields-") and name.endswith("-maps_to") and value == clean_name:
            return name.removesuffix("-maps_to")
    raise KeyError(clean_name)
