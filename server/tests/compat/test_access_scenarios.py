"""The two access-control scenarios through the official ThingsBoard Python client, unchanged: the "share a
dashboard with customers" lesson (two customers renting offices in one building) and the four-tier school."""
import pytest
from tb_rest_client.rest import ApiException
from tb_rest_client.rest_client import RestClient
from tb_rest_client.models import (ActivateUserRequest, Asset, Customer, CustomerId, Dashboard, Device, EntityGroup,
                                   EntityGroupId, EntityId, GroupPermission, Role, ShareGroupRequest, Tenant, User)

from conftest import SYSADMIN, SYSADMIN_PASSWORD


def tenant_admin(server, title, email):
    sys = RestClient(base_url=server)
    sys.login(username=SYSADMIN, password=SYSADMIN_PASSWORD)
    tenant = sys.save_tenant(Tenant(title=title))
    admin = sys.save_user(body=User(email=email, authority="TENANT_ADMIN", tenant_id=tenant.id),
                          send_activation_mail=False)
    activate(sys, admin, "tenant-admin-password")
    client = RestClient(base_url=server)
    client.login(username=email, password="tenant-admin-password")
    return client


def activate(by, user, password):
    token = by.get_activation_link(user.id).split("activateToken=")[1]
    by.activate_user(body=ActivateUserRequest(activate_token=token, password=password), send_activation_mail=False)


def user_group(client, customer_id, name):
    groups = client.get_entity_groups_by_owner_and_type("CUSTOMER", customer_id, "USER")
    return next(g for g in groups if g.name == name)


def customer_user(server, admin, customer_id, group, email):
    user = admin.save_user(body=User(email=email, authority="CUSTOMER_USER", customer_id=customer_id),
                           send_activation_mail=False, entity_group_id=group.id.id)
    activate(admin, user, "customer-password")
    client = RestClient(base_url=server)
    client.login(username=email, password="customer-password")
    return client


def names(page):
    return sorted(x.name for x in page.data)


def alias(entity_type, entity_id):
    return {"filter": {"type": "singleEntity", "singleEntity": {"entityType": entity_type, "id": entity_id.id}}}


def test_office_rental(server):
    admin = tenant_admin(server, "Building Owner", "owner@building.io")
    a = admin.save_customer(Customer(title="Office A"))
    b = admin.save_customer(Customer(title="Office B"))
    building_group = admin.save_entity_group(EntityGroup(name="Building", type="ASSET"))
    building = admin.save_asset(Asset(name="Building 1", type="building"), entity_group_id=building_group.id)
    admin.save_asset(Asset(name="Office A room", customer_id=a.id))
    admin.save_asset(Asset(name="Office B room", customer_id=b.id))
    therm_a = admin.save_device(Device(name="Thermostat A", type="thermostat", customer_id=a.id))
    therm_b = admin.save_device(Device(name="Thermostat B", type="thermostat", customer_id=b.id))
    assert therm_a.owner_id.id == a.id.id and therm_a.customer_id.id == a.id.id
    assert admin.get_device_credentials_by_device_id(therm_a.id).credentials_type == "ACCESS_TOKEN"
    dash_group = admin.save_entity_group(EntityGroup(name="Tenant dashboards", type="DASHBOARD"))
    config = {"entityAliases": {"b": alias("ASSET", building.id), "a": alias("DEVICE", therm_a.id),
                                "x": alias("DEVICE", therm_b.id)}}
    dash = admin.save_dashboard(Dashboard(title="Building", configuration=config),
                                entity_group_id=dash_group.id.id)
    for customer in (a, b):
        users = user_group(admin, customer.id, "Customer Users")
        for group in (building_group, dash_group):
            admin.share_entity_group(group.id, ShareGroupRequest(
                all_user_group=False, user_group_id=EntityGroupId(users.id.id, "ENTITY_GROUP"), read_else_write=True))

    alice = customer_user(server, admin, a.id, user_group(admin, a.id, "Customer Users"), "alice@office-a.io")
    bob = customer_user(server, admin, b.id, user_group(admin, b.id, "Customer Users"), "bob@office-b.io")
    for who, mine, theirs, room in ((alice, therm_a, therm_b, "Office A room"), (bob, therm_b, therm_a, "Office B room")):
        assert names(who.get_user_devices(page_size=10, page=0)) == [mine.name]
        assert names(who.get_user_assets(page_size=10, page=0)) == ["Building 1", room]
        dashboards = who.get_user_dashboards(page_size=10, page=0)
        assert [d.title for d in dashboards.data] == ["Building"]
        assert who.get_dashboard_by_id(dash.id).configuration["entityAliases"]["b"]["filter"]["type"] == "singleEntity"
        with pytest.raises(ApiException) as denied:
            who.get_device_by_id(theirs.id)
        assert denied.value.status == 403
        assert who.has_entity_permission(mine.id, "READ") is True
        assert who.has_entity_permission(mine.id, "DELETE") is False


def test_school_hierarchy(server):
    admin = tenant_admin(server, "EduIoT", "admin@eduiot.io")
    school = admin.save_customer(Customer(title="Springfield School"))
    sensor = admin.save_device(Device(name="Classroom sensor", type="sensor", customer_id=school.id))
    dash = admin.save_dashboard(Dashboard(title="Classrooms", customer_id=school.id))
    tiers = [
        ("School administrators", "School administrator", {"ALL": ["ALL"]}, {"DEVICE": ["DELETE"]}),
        ("Site managers", "Site manager",
         {"DEVICE": ["READ", "WRITE", "RPC_CALL", "READ_ATTRIBUTES", "WRITE_ATTRIBUTES", "READ_TELEMETRY"],
          "DASHBOARD": ["READ"], "ASSET": ["READ"]}, {}),
        ("Dashboard viewers", "Dashboard viewer", {"DASHBOARD": ["READ"]}, {}),
    ]
    clients = []
    for k, (group_name, role_name, perms, excluded) in enumerate(tiers):
        role = admin.save_role(Role(name=role_name, type="GENERIC", permissions=perms, excluded_permissions=excluded))
        group = admin.save_entity_group(EntityGroup(name=group_name, type="USER",
                                                    owner_id=EntityId(school.id.id, "CUSTOMER")))
        admin.save_group_permission(GroupPermission(user_group_id=EntityGroupId(group.id.id, "ENTITY_GROUP"),
                                                    role_id=role.id))
        clients.append(customer_user(server, admin, school.id, group, f"tier{k}@school.edu"))
    school_admin, manager, viewer = clients

    viewers = user_group(admin, school.id, "Dashboard viewers")
    school_admin.save_user(body=User(email="new.viewer@school.edu", authority="CUSTOMER_USER",
                                     customer_id=school.id), send_activation_mail=False,
                           entity_group_id=viewers.id.id)
    dash = school_admin.get_dashboard_by_id(dash.id)
    dash.title = "Classrooms (edited)"
    dash = school_admin.save_dashboard(dash)
    assert dash.title == "Classrooms (edited)"
    assert school_admin.has_entity_permission(sensor.id, "WRITE") is True
    with pytest.raises(ApiException) as denied:
        school_admin.delete_device(sensor.id)
    assert denied.value.status == 403

    assert manager.has_entity_permission(sensor.id, "RPC_CALL") is True
    assert manager.has_entity_permission(dash.id, "WRITE") is False
    sensor = manager.get_device_by_id(sensor.id)
    sensor.label = "Room 12"
    assert manager.save_device(sensor).label == "Room 12"
    with pytest.raises(ApiException) as denied:
        manager.save_dashboard(dash)
    assert denied.value.status == 403

    assert [d.title for d in viewer.get_user_dashboards(page_size=10, page=0).data] == ["Classrooms (edited)"]
    assert viewer.get_user_devices(page_size=10, page=0).total_elements == 0
    with pytest.raises(ApiException) as denied:
        viewer.get_device_by_id(sensor.id)
    assert denied.value.status == 403

    admin.delete_device(sensor.id)
