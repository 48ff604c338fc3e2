"""The command palette: titles shown literally (a ``[Title]`` is text, not
markup), each command once, keys named as the footer names them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from textual.command import CommandList

from pilot_helpers import make_app, seed_store, until, wait_loaded


def palette_prompts(app) -> list[str]:
    """The palette's answers so far (none while it is still opening)."""
    lists = app.screen.query(CommandList)
    if not lists:
        return []
    option_list = lists.first()
    return [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]


async def test_palette_titles_are_literal_and_listed_once(pq_home: Path) -> None:
    seed_store(pq_home)
    app = make_app(pq_home)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_loaded(pilot)
        commands = list(app.get_system_commands(app.screen))
        titles = Counter(command.title for command in commands)
        assert titles["Help: every key"] == 1, titles
        assert [title for title, count in titles.items() if count > 1] == []
        helps = {command.help for command in commands}
        assert "key: question_mark" not in helps and "key: slash" not in helps

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"markdown")
        # The palette searches in a worker: wait for its answer, not a fixed time.
        await until(pilot, lambda: any("Copy a Markdown link [Title](url)" in prompt for prompt in palette_prompts(app)),
                    "the palette offers the Markdown link")
