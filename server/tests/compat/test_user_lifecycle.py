"""A user's lifecycle through the official ThingsBoard Python client, unchanged: creation into a user group, the
user lists, disabling, "log in as", the audit trail, TOTP two-factor sign-in, user settings and deletion."""
import base64
import hashlib
import hmac
import struct
import time
from urllib.parse import parse_qs, urlparse

import pytest
from tb_rest_client.rest import ApiException
from tb_rest_client.rest_client import RestClient
from tb_rest_client.models import Customer, ResetPasswordEmailRequest

from test_access_scenarios import customer_user, tenant_admin, user_group


def totp(auth_url, at):
    """RFC 6238 with the authenticator-app defaults (SHA-1, 6 digits, 30 s), as a phone would compute it."""
    secret = parse_qs(urlparse(auth_url).query)["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


def test_user_lifecycle(server):
    admin = tenant_admin(server, "Lifecycle Co", "admin@lifecycle.io")
    customer = admin.save_customer(Customer(title="Harbour"))
    users_group = user_group(admin, customer.id.id, "Customer Users")
    kim = customer_user(server, admin, customer.id, users_group, "kim@harbour.io")
    kim_user = kim.get_user()

    # The lists an administrator works with.
    page = admin.get_customer_users(customer.id, page_size=10, page=0)
    assert [u.email for u in page.data] == ["kim@harbour.io"]
    infos = admin.get_all_user_infos(page_size=10, page=0, include_customers=True)
    assert sorted(u.email for u in infos.data) == ["admin@lifecycle.io", "kim@harbour.io"]
    assert admin.find_users_by_query(page_size=10, page=0, text_search="kim").data[0].email == "kim@harbour.io"
    assert [u.email for u in admin.get_users_by_ids([kim_user.id.id])] == ["kim@harbour.io"]
    info = admin.get_user_info_by_id(kim_user.id)
    assert info.owner_name == "Harbour"

    # Disabled users cannot sign in; enabling lets them again.
    admin.set_user_credentials_enabled(kim_user.id, user_credentials_enabled=False)
    with pytest.raises(ApiException) as blocked:
        kim.get_user()
    assert blocked.value.status == 401
    admin.set_user_credentials_enabled(kim_user.id, user_credentials_enabled=True)
    kim.login(username="kim@harbour.io", password="customer-password")

    # "Log in as user" and its audit trail.
    assert admin.is_user_token_access_enabled() is True
    pair = admin.get_user_token(kim_user.id)
    as_kim = RestClient(base_url=server)
    as_kim.token_login(pair.token, pair.refresh_token)
    assert as_kim.get_user().email == "kim@harbour.io"
    me = admin.get_user()
    logs = admin.get_audit_logs_by_user_id(me.id, page_size=50, page=0, action_types="LOGIN_AS_USER")
    assert logs.data and logs.data[0].entity_id.id == kim_user.id.id
    assert admin.get_audit_logs(page_size=5, page=0).total_elements > 1

    # A reset request answers alike for known and unknown addresses.
    admin.request_reset_password_by_email(ResetPasswordEmailRequest(email="kim@harbour.io"))
    admin.request_reset_password_by_email(ResetPasswordEmailRequest(email="nobody@harbour.io"))

    # TOTP: enrol, then sign in with the password and a code.
    assert "TOTP" in kim.get_available_two_fa_providers()
    config = kim.generate_two_fa_account_config("TOTP")
    assert config.auth_url.startswith("otpauth://totp/")
    kim.verify_and_save_two_fa_account_config(body=config, verification_code=totp(config.auth_url, time.time()))
    assert "TOTP" in kim.get_account_two_fa_settings().configs
    phone = RestClient(base_url=server)
    phone.login(username="kim@harbour.io", password="customer-password")
    with pytest.raises(ApiException) as pending:
        phone.get_user()
    assert pending.value.status == 401
    assert [p.type for p in phone.get_available_two_fa_providers_v1()] == ["TOTP"]
    full = phone.check_two_fa_verification_code("TOTP", totp(config.auth_url, time.time() + 30))
    assert full.token and full.refresh_token
    phone.token_login(full.token, full.refresh_token)
    assert phone.get_user().email == "kim@harbour.io"
    kim.delete_two_fa_account_config("TOTP")
    assert kim.get_account_two_fa_settings().configs == {}

    # Settings are the user's own JSON.
    kim.save_user_settings({"theme": "dark", "lists": {"pageSize": 20}})
    kim.put_user_settings({"lists.sort": "name"})
    kim.delete_user_settings(["theme"], "general")
    assert kim.get_user_settings() == {"lists": {"pageSize": 20, "sort": "name"}}

    # Deleting the user ends its sessions and it is gone.
    admin.delete_user(kim_user.id)
    with pytest.raises(ApiException) as gone:
        admin.get_user_by_id(kim_user.id)
    assert gone.value.status == 404
    with pytest.raises(ApiException) as ended:
        phone.get_user()
    assert ended.value.status == 401
