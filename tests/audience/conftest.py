import pytest
from django.test import Client

# A visitor the counters must forget: an address and a browser signature easy to search for.
VISITOR_IP = "203.0.113.77"
VISITOR_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 SondeAudience/42"
)


@pytest.fixture
def visitor():
    """An anonymous person with a real browser (the default test client has no user agent,
    which the counters take for a robot)."""
    return Client(HTTP_USER_AGENT=VISITOR_AGENT, REMOTE_ADDR=VISITOR_IP)


@pytest.fixture(autouse=True)
def empty_counter_buffer():
    """Counts held in memory by one test never reach another's database."""
    from audience.services import BUFFER

    BUFFER.discard()
    yield
    BUFFER.discard()
