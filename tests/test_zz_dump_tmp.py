import re
from django.urls import reverse
from django.utils.html import strip_tags
from django.core import mail

def txt(r):
    body = r.content.decode()
    m = re.search(r"<main.*?</main>", body, re.S)
    t = strip_tags(m.group(0) if m else body)
    title = re.search(r"<title>(.*?)</title>", body, re.S)
    return (title.group(1).strip() if title else "") + " || " + re.sub(r"\s+", " ", t)

def test_dump(client, volunteer, staff, login):
    for name in ["account_login", "account_request_login_code", "account_reset_password", "account_reset_password_done", "account_logout"]:
        print("\n##", name, txt(client.get(reverse(name))))
    client.post(reverse("account_request_login_code"), {"email": volunteer.email})
    print("\n## confirm_login_code", txt(client.get(reverse("account_confirm_login_code"))))
    client.post(reverse("account_reset_password"), {"email": volunteer.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/[^\s]+/)", mail.outbox[-1].body).group(1)
    r = client.get(link, follow=True)
    print("\n## from_key", txt(r))
    print("\n## from_key_done", txt(client.get(reverse("account_reset_password_from_key_done"))))
    login(volunteer)
    for name in ["mfa_index", "mfa_activate_totp", "account_change_password", "account_logout", "account_reauthenticate"]:
        r = client.get(reverse(name), follow=True)
        print("\n##", name, r.redirect_chain, txt(r))
