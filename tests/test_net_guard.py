"""The loopback guard (tests/conftest.py): a test reaching beyond 127.0.0.1 fails by name."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]


def test_a_test_that_connects_beyond_loopback_fails_naming_itself(pytester: pytest.Pytester) -> None:
    pytester.makeconftest((Path(__file__).parent / "conftest.py").read_text(encoding="utf-8"))
    pytester.makepyfile(
        test_reaching=textwrap.dedent(
            """
            import socket

            def test_swallows_the_error():
                try:
                    socket.create_connection(("192.0.2.1", 80), timeout=1)
                except OSError:
                    pass  # code that hides the failure does not hide it from the guard

            def test_connects_a_socket():
                with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
                    sock.settimeout(1)
                    sock.connect_ex(("2001:db8::1", 443, 0, 0))

            def test_looks_up_a_name():
                try:
                    socket.getaddrinfo("export.arxiv.org", 443)
                except OSError:
                    pass

            def test_stays_on_loopback():
                with socket.socket() as server:
                    server.bind(("127.0.0.1", 0))
                    server.listen()
                    socket.create_connection(server.getsockname(), timeout=1).close()
                    socket.create_connection(("localhost", server.getsockname()[1]), timeout=1).close()
            """
        )
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    text = result.stdout.str()
    assert "test_swallows_the_error tried to reach '192.0.2.1'" in text
    assert "test_connects_a_socket tried to reach ('2001:db8::1', 443, 0, 0)" in text
    assert "test_looks_up_a_name tried to reach 'export.arxiv.org'" in text
    result.assert_outcomes(passed=3, failed=1, errors=3)  # connect_ex raised in the test itself too
