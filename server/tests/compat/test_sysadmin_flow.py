"""The system administrator's flow through the official ThingsBoard Python client, unchanged."""
import pytest
from tb_rest_client.rest import ApiException
from tb_rest_client.rest_client import RestClient as RestClientPE
from tb_rest_client.models import ActivateUserRequest, ChangePasswordRequest, Tenant, User

from conftest import SYSADMIN, SYSADMIN_PASSWORD


def test_sysadmin_creates_tenant_and_admin_who_activates_and_signs_in(server):
    sys = RestClientPE(base_url=server)
    sys.login(username=SYSADMIN, password=SYSADMIN_PASSWORD)
    me = sys.get_user()
    assert me.authority == "SYS_ADMIN"
    assert me.email == SYSADMIN

    tenant = sys.save_tenant(Tenant(title="Compat Corp", email="ops@compat.io", country="NL"))
    assert tenant.id.entity_type == "TENANT"
    assert tenant.title == "Compat Corp"
    assert sys.get_tenant_by_id(tenant.id).title == "Compat Corp"
    assert sys.get_tenant_info_by_id(tenant.id).tenant_profile_name == "Default"
    page = sys.get_tenants(page_size=10, page=0, text_search="compat")
    assert page.total_elements == 1 and page.data[0].id.id == tenant.id.id
    infos = sys.get_tenant_infos(page_size=10, page=0, sort_property="title", sort_order="ASC")
    assert infos.data[0].title == "Compat Corp"

    admin = sys.save_user(
        body=User(email="admin@compat.io", authority="TENANT_ADMIN", tenant_id=tenant.id, first_name="Ada"),
        send_activation_mail=False,
    )
    assert admin.id.entity_type == "USER"
    assert admin.authority == "TENANT_ADMIN"
    link = sys.get_activation_link(admin.id)
    assert "/api/noauth/activate?activateToken=" in link
    token = link.split("activateToken=")[1]

    # The client wires its API objects only after a login, so scripts call the no-auth endpoint on a signed-in one.
    pair = sys.activate_user(body=ActivateUserRequest(activate_token=token, password="ada-compat-password"),
                              send_activation_mail=False)
    assert pair.token and pair.refresh_token

    ada = RestClientPE(base_url=server)
    ada.login(username="admin@compat.io", password="ada-compat-password")
    who = ada.get_user()
    assert who.authority == "TENANT_ADMIN"
    assert who.tenant_id.id == tenant.id.id
    assert ada.get_tenant_by_id(tenant.id).title == "Compat Corp"
    with pytest.raises(ApiException) as denied:
        ada.get_tenants(page_size=10, page=0)
    assert denied.value.status == 403

    ada.refresh()
    assert ada.get_user().email == "admin@compat.io"
    pair = ada.change_password(
        ChangePasswordRequest(current_password="ada-compat-password", new_password="ada-new-password"))
    # As in ThingsBoard, tokens issued before the change are outdated by it; the answer carries a fresh pair.
    with pytest.raises(ApiException) as outdated:
        ada.get_user()
    assert outdated.value.status == 401
    ada.token_login(pair.token, pair.refresh_token)
    assert ada.get_user().email == "admin@compat.io"
    ada.logout()

    sys.delete_tenant(tenant.id)
    with pytest.raises(ApiException) as gone:
        sys.get_tenant_by_id(tenant.id)
    assert gone.value.status == 404
