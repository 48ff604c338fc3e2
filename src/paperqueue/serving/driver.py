"""The driver of an app that ``paperqueue serve`` started: Textual's web
driver, and what it lacks. When serve goes away without ending its apps
(killed with SIGKILL, crashed, the machine out of memory), the app's end
of the pipe from it closes; the web driver's reader then just stops, and
the app would live on with no one to draw for, holding the queue's lock
until someone found it and killed it by hand. Here the app then saves and
leaves at once, as it does when its terminal hangs up.

Imported by name from ``TEXTUAL_DRIVER`` in the app's process; it imports
nothing of the server (no aiohttp)."""

from __future__ import annotations

from textual.drivers.web_driver import WebDriver

DRIVER = "paperqueue.serving.driver:ServedDriver"  # the TEXTUAL_DRIVER serve sets


class ServedDriver(WebDriver):
    def run_input_thread(self) -> None:
        super().run_input_thread()
        if self.exit_event.is_set():
            return  # the app is leaving by itself
        app = self._app
        lost = getattr(app, "hang_up", None) or app.exit  # another app served this way just exits
        try:
            app.call_from_thread(lost)
        except RuntimeError:
            pass  # already stopped
