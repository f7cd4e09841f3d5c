"""End-to-end tests of the training lab in a real headless browser (Debian's chromium through
chromedriver, with selenium) and of `copylab quiz` through a pseudo-terminal (pexpect).

Run by scripts/lab-e2e.sh, which installs what they need and starts `copylab serve`.
Usage: lab_e2e.py URL COPYLAB SCREENSHOT_DIR
"""

import json
import os
import re
import sys
import time

import pexpect
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

URL, COPYLAB, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Exercises are addressed by their neutral public ids, never by scenario name (which gives the
# answer away and is answered 404). These are the ids of the built-in scenarios
# seed_source_key_policy_without_destination and rds_multi_az_cluster; tests/it/lab.rs
# (exercise_ids_are_stable_across_runs_and_when_scenarios_are_added_or_removed) pins the same
# values, so they cannot drift from the server's.
EXERCISE = "ex-bd263dcd"
EXERCISE_WITH_ALTERNATIVES = "ex-3c589a40"
KEY_MESSAGE = (
    "The source snapshot KMS key [arn:aws:kms:us-east-1:111122223333:key/"
    "1234abcd-12ab-34cd-56ef-1234567890ab] does not exist, is not enabled or you do not have "
    "permissions to access it."
)
with open(os.path.join(ROOT, "examples/policies/seed-key-policy.json"), encoding="utf-8") as f:
    ARTICLE_KEY_POLICY = f.read()


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1800"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_text(driver, element_id, predicate, timeout=20):
    WebDriverWait(driver, timeout).until(lambda d: predicate(d.find_element(By.ID, element_id).text))
    return driver.find_element(By.ID, element_id).text


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def every_control_has_an_accessible_name(driver, page):
    """Every visible control has an accessible name; buttons and links have distinct ones."""
    seen = {}
    for element in driver.find_elements(By.CSS_SELECTOR, "button, input:not([type=hidden]), textarea, select, a[href]"):
        if not element.is_displayed():
            continue
        name = (element.accessible_name or "").strip()
        check(name, f"{page}: a {element.tag_name} has no accessible name: {element.get_attribute('outerHTML')[:160]}")
        if element.tag_name in ("button", "a"):
            href = element.get_attribute("href") if element.tag_name == "a" else None
            previous = seen.get(name)
            check(previous is None or (href is not None and previous == href), f"{page}: two controls are both named {name!r}")
            seen[name] = href


def work_exercise(driver, lang, screenshot):
    """Open the failing scenario, see AWS's message, pick the check, fix the key policy, retry."""
    driver.get(f"{URL}/lab/exercises/{EXERCISE}?lang={lang}")
    check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang, "page language")
    every_control_has_an_accessible_name(driver, f"exercise ({lang})")
    driver.find_element(By.ID, "start").click()
    wait_text(driver, "job-state", lambda t: t == "FAILED")
    check(driver.find_element(By.ID, "job-message").text == KEY_MESSAGE, f"status message ({lang})")
    driver.save_screenshot(os.path.join(SHOTS, screenshot))
    driver.find_element(By.CSS_SELECTOR, "#investigate input[value=source-key-policy]").click()
    driver.find_element(By.CSS_SELECTOR, "#investigate button").click()
    WebDriverWait(driver, 10).until(lambda d: "right" in d.find_element(By.CSS_SELECTOR, "#investigate .feedback").get_attribute("class"))
    form = driver.find_element(By.CSS_SELECTOR, "form[data-kind=key_policy]")
    area = form.find_element(By.TAG_NAME, "textarea")
    # An invalid policy: errors in place, with line and column.
    driver.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", area, '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Maybe"}]}')
    WebDriverWait(driver, 10).until(lambda d: area.get_attribute("aria-invalid") == "true")
    errors = form.find_element(By.CLASS_NAME, "errors").get_attribute("textContent")
    check("2" in errors and "27" in errors, f"the editor shows where the error is (line 2, column 27): {errors!r}")
    driver.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", area, ARTICLE_KEY_POLICY)
    WebDriverWait(driver, 10).until(lambda d: area.get_attribute("aria-invalid") == "false")
    form.find_element(By.TAG_NAME, "button").click()
    WebDriverWait(driver, 10).until(lambda d: "right" in form.find_element(By.CLASS_NAME, "feedback").get_attribute("class"))
    driver.find_element(By.ID, "retry").click()
    wait_text(driver, "job-state", lambda t: t == "COMPLETED")
    note = driver.find_element(By.ID, "job-note").text
    check(note, f"no completion note ({lang})")
    if lang == "ja":
        check(any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in note), "the note is not Japanese")


def focus(driver, predicate, limit=400):
    """Tabs until the focused element satisfies `predicate`."""
    body = driver.find_element(By.TAG_NAME, "body")
    for _ in range(limit):
        element = driver.switch_to.active_element
        if predicate(element):
            return element
        element.send_keys(Keys.TAB) if element.tag_name != "body" else body.send_keys(Keys.TAB)
    raise AssertionError("no focusable element matched")


def keyboard_only(driver):
    """The same exercise without a mouse: Tab, Space, Enter and typing only."""
    driver.get(f"{URL}/lab/exercises/{EXERCISE}?lang=en")
    focus(driver, lambda e: e.get_attribute("id") == "start").send_keys(Keys.ENTER)
    wait_text(driver, "job-state", lambda t: t == "FAILED")
    radio = focus(driver, lambda e: e.get_attribute("name") == "check")
    # Arrow keys move within the radio group.
    for _ in range(12):
        if driver.switch_to.active_element.get_attribute("value") == "source-key-policy":
            break
        driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    driver.switch_to.active_element.send_keys(Keys.SPACE)
    focus(driver, lambda e: e.tag_name == "button" and e.find_element(By.XPATH, "..").get_attribute("id") == "investigate").send_keys(Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: "right" in d.find_element(By.CSS_SELECTOR, "#investigate .feedback").get_attribute("class"))
    area = focus(driver, lambda e: e.tag_name == "textarea" and e.get_attribute("data-policy-kind") == "kms")
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys(ARTICLE_KEY_POLICY)
    form = area.find_element(By.XPATH, "..")
    focus(driver, lambda e: e.tag_name == "button" and e.find_element(By.XPATH, "..") == form).send_keys(Keys.ENTER)
    WebDriverWait(driver, 10).until(lambda d: "right" in form.find_element(By.CLASS_NAME, "feedback").get_attribute("class"))
    focus(driver, lambda e: e.get_attribute("id") == "retry").send_keys(Keys.ENTER)
    wait_text(driver, "job-state", lambda t: t == "COMPLETED")


def exam(driver):
    """An exam from a seed: the same seed gives the same questions; it ends with a score."""
    seen = []
    for _ in range(2):
        driver.get(f"{URL}/lab/exam?seed=42&count=3&lang=en")
        every_control_has_an_accessible_name(driver, "exam")
        questions = []
        for number in range(1, 4):
            # page_source, not an element: the page is replaced under a held element.
            WebDriverWait(driver, 10).until(lambda d: f"Question {number} of 3" in d.page_source)
            questions.append(driver.find_element(By.CSS_SELECTOR, "p.aws-message").text)
            choice = driver.find_element(By.CSS_SELECTOR, "#exam-form input[value=source-key-policy]")
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", choice)
            choice.find_element(By.XPATH, "..").click()
            driver.find_element(By.CSS_SELECTOR, "#exam-form button").click()
        WebDriverWait(driver, 10).until(lambda d: 'id="score"' in d.page_source)
        score = driver.find_element(By.ID, "score").text
        check(score.startswith("Score: ") and score.endswith(" of 3"), f"exam score: {score}")
        seen.append(questions)
    check(seen[0] == seen[1], "the same seed gave another exam")


def catalog_and_jobs(driver):
    driver.get(f"{URL}/?lang=ja")
    every_control_has_an_accessible_name(driver, "catalog")
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "ul.exercises a")]
    check(links, "the catalog lists no exercise")
    for href in links:
        check(re.search(r"/lab/exercises/ex-[0-9a-f]{8}\?", href), f"an exercise link is not by neutral id: {href}")
    check(any(f"/lab/exercises/{EXERCISE}?" in href for href in links), f"the catalog does not link {EXERCISE}")
    driver.save_screenshot(os.path.join(SHOTS, "lab-catalog-ja.png"))
    driver.get(f"{URL}/lab/exam?lang=ja")
    every_control_has_an_accessible_name(driver, "exam start")
    driver.get(f"{URL}/lab/exercises/{EXERCISE_WITH_ALTERNATIVES}?lang=ja")
    every_control_has_an_accessible_name(driver, "exercise with alternatives")
    check(driver.find_elements(By.CSS_SELECTOR, "#alternative input[name=choice]"), "no alternatives offered")
    # An old link by scenario name: the not-found page, which does not echo the name.
    driver.get(f"{URL}/lab/exercises/rds_multi_az_cluster?lang=en")
    check(driver.find_element(By.TAG_NAME, "h1").text == "404", "an old link by scenario name is not 404")
    check("rds_multi_az_cluster" not in driver.find_element(By.TAG_NAME, "main").text, "the 404 page echoes the name")
    driver.get(f"{URL}/lab/jobs?lang=en")
    every_control_has_an_accessible_name(driver, "live jobs")
    links = driver.find_elements(By.PARTIAL_LINK_TEXT, "Why did this fail?")
    check(links, "live jobs list no failed job")
    links[-1].click()
    every_control_has_an_accessible_name(driver, "diagnosis")
    failed = driver.find_element(By.CSS_SELECTOR, ".check.failed strong").text
    check(failed == "Source KMS key policy", f"the diagnosis names {failed!r} as the failed check")


def quiz():
    """`copylab quiz` in an 80x24 pseudo-terminal, answered from the key: full score."""
    key = pexpect.run(f"{COPYLAB} quiz --seed 7 --count 3 --lang en --answer-key").decode().split()
    child = pexpect.spawn(COPYLAB, ["quiz", "--seed", "7", "--count", "3", "--lang", "en"], dimensions=(24, 80), encoding="utf-8", timeout=20)
    shown = ""
    for answer in key:
        child.expect(r"Your answer \(1-\d+\):")
        shown += child.before
        # A question, from the setup to the prompt, fits the 24 rows of the terminal.
        question = shown.split("Question ")[-1] if "Question " in shown else shown
        check(len(question.replace("\r", "").split("\n")) <= 24 or "What fixes it?" in question, "a question is taller than 24 rows")
        child.sendline(answer)
    child.expect(r"Score: (\d+) of (\d+)")
    check(child.match.group(1) == child.match.group(2) == str(len(key)), f"quiz score {child.match.group(0)}")
    shown += child.before + child.after
    child.expect(pexpect.EOF)
    plain = __import__("re").sub(r"\x1b\[[0-9;]*m", "", shown)
    check("\x1b[1m" in shown, "no colour on a terminal")
    for line in plain.replace("\r", "").split("\n"):
        check(len(line) <= 80, f"a line is wider than 80 columns: {line!r}")


def main():
    os.makedirs(SHOTS, exist_ok=True)
    driver = browser()
    try:
        work_exercise(driver, "en", "lab-exercise-en.png")
        work_exercise(driver, "ja", "lab-exercise-ja.png")
        keyboard_only(driver)
        exam(driver)
        catalog_and_jobs(driver)
    finally:
        driver.quit()
    quiz()
    print("lab e2e: ok (screenshots in " + SHOTS + ")")


if __name__ == "__main__":
    main()
