"""Issue 8's done-when: an enterprise takes an investment-project approval (企业投资项目核准) from
the catalogue search to a signed e-certificate, with one request for more material on the way;
the certificate verifies offline with the published public key, and a tampered copy does not.

The agent works on a phone, the clerk at a desk. The agent saves the form half-way and comes
back to it from "my applications" (save-and-return), checks the answers and submits; the clerk
receives the case and asks for the energy-saving opinion; the agent uploads it; the clerk
reviews, approves and completes with an e-certificate, which the agent finds in the wallet.
"""

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

from civicgrid.applications.demo_forms import INVESTMENT_FORM, INVESTMENT_WORKFLOW
from civicgrid.applications.models import Case
from civicgrid.applications.tests import factories as f

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency")
expect = sync_api.expect

pytestmark = pytest.mark.browser
REPO = Path(__file__).resolve().parents[2]


def _choose(tab, name: str, value: str) -> None:  # type: ignore[no-untyped-def]
    select = tab.locator(f'select[name="{name}"]')
    if select.count():
        select.select_option(value)
    else:
        tab.locator(f'input[name="{name}"][value="{value}"]').check()


def _fits(tab) -> None:  # type: ignore[no-untyped-def]
    tab.wait_for_load_state("domcontentloaded")  # a click's new page may not be parsed yet
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{tab.url} is {width}px wide on a 390px phone"


def test_an_enterprise_gets_an_investment_approval_as_a_signed_e_certificate(
    browser, live_server, personas, phone, page, sign_in, tmp_path
):
    f.item(
        personas.organisations["department_a"],
        code="131128-FGJ-XK-001",
        name="企业投资项目核准",
        promised=10,
        form=INVESTMENT_FORM,
        workflow=INVESTMENT_WORKFLOW,
    )
    agent, clerk = phone, page
    # The first catalogue search builds the search index (jieba): slow on a busy machine.
    for tab in (agent, clerk):
        tab.set_default_timeout(60_000)
    sign_in(agent, personas.enterprise_agent_a)
    sign_in(clerk, personas.clerk_a)
    report = tmp_path / "项目申请报告.pdf"
    report.write_bytes(f.pdf_bytes())
    opinion = tmp_path / "用地预审意见.pdf"
    opinion.write_bytes(f.pdf_bytes())
    energy = tmp_path / "节能审查意见.pdf"
    energy.write_bytes(f.pdf_bytes())

    # Search the catalogue and open the item.
    agent.goto("/services/?q=投资项目核准")
    agent.get_by_role("link", name="企业投资项目核准").first.click()
    agent.get_by_role("link", name="在线办理").click()
    _fits(agent)
    agent.get_by_role("button", name="开始填写").click()

    # Step 1: the project. A missing answer is named, nothing is lost.
    expect(agent.locator("h1")).to_have_text("项目基本情况")
    agent.locator('[name="project_name"]').fill("年产 2000 台玉米收获机技术改造项目")
    agent.get_by_role("button", name="保存并继续").click()
    expect(agent.get_by_text("建设地点").first).to_be_visible()
    assert agent.locator('[aria-invalid="true"]').count() >= 1
    _choose(agent, "nature", "扩建")
    _choose(agent, "industry", "装备制造")
    agent.locator('[name="site"]').fill("阜城县经济开发区创业路东段")
    agent.locator('[name="scale"]').fill("新建联合厂房 12000 平方米，购置数控设备 86 台（套）")
    agent.locator('[name="total"]').fill("8600")
    agent.get_by_role("group", name="是否涉及外商投资").get_by_label("否").check()
    agent.get_by_role("button", name="保存并继续").click()

    # Step 2 (the foreign-investor step is skipped): land and energy; then save and leave.
    expect(agent.locator("h1")).to_have_text("用地与能耗")
    agent.locator('[name="land_area"]').fill("45.6")
    agent.get_by_role("group", name="是否新增建设用地").get_by_label("否").check()
    agent.locator('[name="energy"]').fill("1850")
    agent.get_by_role("button", name="保存，稍后继续").click()
    expect(agent.get_by_role("status")).to_contain_text("已保存")

    # Later: back from "my applications", at the step after the one saved.
    agent.goto("/applications/")
    agent.get_by_role("link", name="企业投资项目核准").first.click()
    expect(agent.locator("h1")).to_have_text("联系人")
    agent.locator('[name="contacts.0.name"]').fill("王建国")
    agent.locator('[name="contacts.0.mobile"]').fill("13903180001")
    _choose(agent, "contacts.0.duty", "项目负责人")
    agent.get_by_role("button", name="保存并继续").click()

    expect(agent.locator("h1")).to_have_text("申请材料")
    agent.locator('input[type="file"][name="report"]').set_input_files(str(report))
    agent.locator('input[type="file"][name="site_opinion"]').set_input_files(str(opinion))
    agent.get_by_role("button", name="保存并继续").click()

    # Check your answers, then submit.
    expect(agent.locator("h1")).to_have_text("核对申请内容")
    expect(agent.get_by_text("年产 2000 台玉米收获机技术改造项目")).to_be_visible()
    _fits(agent)
    agent.get_by_role("button", name="确认提交").click()
    case = Case.objects.get()
    expect(agent.get_by_text(case.number).first).to_be_visible()
    assert case.attachments.count() == 2

    # The clerk receives it and asks for more material.
    clerk.goto("/applications/queue/")
    clerk.get_by_role("link", name=case.number).click()
    clerk.get_by_role("button", name="受理").click()
    expect(clerk.get_by_role("status")).to_contain_text("下一步骤")
    clerk.get_by_label("需补正的材料（每行一项）").fill("节能审查意见")
    clerk.get_by_role("button", name="发送补正通知").click()
    expect(clerk.get_by_role("status")).to_contain_text("暂停计时")

    # The agent supplies it.
    agent.goto(f"/applications/cases/{case.number}/")
    expect(agent.locator("#supply")).to_contain_text("节能审查意见")
    agent.locator('input[name="files"]').set_input_files(str(energy))
    agent.get_by_role("button", name="提交补正材料").click()
    expect(agent.get_by_role("status")).to_contain_text("恢复计时")

    # The clerk reviews, approves and completes with an e-certificate.
    clerk.goto(f"/applications/queue/{case.number}/")
    clerk.get_by_role("button", name="审查通过").click()
    clerk.get_by_role("button", name="准予许可").click()
    clerk.get_by_label("电子证照").check()
    clerk.get_by_role("button", name="办结", exact=True).click()
    expect(clerk.get_by_role("status")).to_contain_text("已办结")
    case.refresh_from_db()
    assert case.status == "completed"

    # The agent finds the certificate in the wallet.
    agent.goto(f"/applications/cases/{case.number}/")
    agent.get_by_role("link", name="在证照夹中查看").click()
    expect(agent.locator("h1")).to_contain_text("企业投资项目核准批复")
    expect(agent.get_by_text("年产 2000 台玉米收获机技术改造项目").first).to_be_visible()

    # Offline verification with the published public key; a tampered copy fails.
    from civicgrid.certificates.documents import code_of
    from civicgrid.certificates.models import Certificate

    certificate = Certificate.objects.get(pk=case.delivery.certificate_id)
    code = code_of(certificate)
    keys = agent.request.get("/certificates/keys.json").json()
    keys_file = tmp_path / "keys.json"
    keys_file.write_text(json.dumps(keys))
    script = REPO / "scripts" / "verify_certificate.py"

    def verify(text: str) -> int:
        done = subprocess.run(  # noqa: S603 - the repository's own script, fixed arguments
            [sys.executable, str(script), "-", "--keys", str(keys_file)],
            input=text, capture_output=True, text=True, check=False,
        )  # fmt: skip
        return done.returncode

    assert verify(code) == 0
    prefix, payload, signature = code.split(".")
    document = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    document["subject"] = "另一家公司"  # a forged holder, the signature left as it was
    forged = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    forged_payload = base64.urlsafe_b64encode(forged.encode()).rstrip(b"=").decode()
    assert verify(f"{prefix}.{forged_payload}.{signature}") == 1
    # A form sent back with errors answers 422, which the console reports; nothing else may.
    for tab in (agent, clerk):
        assert [e for e in tab.js_errors if "status of 422" not in e] == []
