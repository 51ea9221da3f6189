"""The yardstick: a bare Django view returning a fixed string, through the same middleware."""

from django.http import HttpResponse


def baseline(request):
    return HttpResponse("ok", content_type="text/plain")
