"""The User-Agent names a contact only when the user gives one (FANWEN_CONTACT / fanwen crawl --contact)."""

from __future__ import annotations

import pytest
from conftest import fanwen
from scrapy.crawler import Crawler

from fanwen.crawler.politeness import user_agent
from fanwen.crawler.run import project_settings
from fanwen.crawler.spiders.essay import EssaySpider
from fanwen.errors import ConfigError


def agent_for(**overrides: str) -> str:
    return Crawler(EssaySpider, project_settings(overrides)).settings.get("USER_AGENT")


def test_no_contact_is_made_up():
    assert agent_for() == "fanwen-archive/0.1 (research archive crawler)"


@pytest.mark.parametrize("contact", ["archive@example.cn", "https://example.cn/about-our-crawler"])
def test_the_users_contact_goes_into_the_user_agent(contact):
    assert agent_for(FANWEN_CONTACT=contact) == f"fanwen-archive/0.1 (research archive crawler; +{contact})"


@pytest.mark.parametrize("contact", ["nobody", "mailto me", "ftp://example.cn/"])
def test_a_contact_nobody_can_use_is_refused(contact):
    with pytest.raises(ConfigError, match="FANWEN_CONTACT"):
        user_agent("fanwen-archive/0.1 (x)", contact)


def test_crawl_help_shows_the_setting():
    help_text = fanwen("crawl", "--help").stdout
    assert "--contact" in help_text and "FANWEN_CONTACT" in help_text
