//! Customer administrators and customer users act on the customer tree through their predefined roles.

use crate::both;
use crate::harness::*;
use serde_json::json;

pub async fn group_id(srv: &Server, owner: &str, name: &str) -> String {
    let db = srv.db().await;
    let id: String =
        sqlx::query_scalar("SELECT id FROM entity_group WHERE owner_id = $1 AND group_type = 'USER' AND name = $2")
            .bind(owner)
            .bind(name)
            .fetch_one(&db)
            .await
            .unwrap();
    db.close().await;
    id
}

/// Creates an activated customer user in the given user group and returns its access token.
pub async fn customer_user(srv: &Server, admin: &str, customer: &str, group: &str, email: &str) -> String {
    let body =
        json!({"email": email, "authority": "CUSTOMER_USER", "customerId": {"entityType": "CUSTOMER", "id": customer}});
    let (s, u) =
        srv.post(&format!("/api/user?sendActivationMail=false&entityGroupIds={group}"), Some(admin), body).await;
    assert_eq!(s, 200, "{u}");
    assert_eq!(u["customerId"]["id"], customer);
    let uid = u["id"]["id"].as_str().unwrap();
    let (_, link) = srv.get(&format!("/api/user/{uid}/activationLinkInfo"), Some(admin)).await;
    let token = link["value"].as_str().unwrap().split("activateToken=").nth(1).unwrap().to_string();
    let (s, pair) =
        srv.post("/api/noauth/activate", None, json!({"activateToken": token, "password": "customer-pass"})).await;
    assert_eq!(s, 200, "{pair}");
    pair["token"].as_str().unwrap().to_string()
}

async fn create(srv: &Server, token: &str, title: &str, parent: Option<&str>) -> (u16, serde_json::Value) {
    let mut body = json!({"title": title});
    if let Some(p) = parent {
        body["parentCustomerId"] = json!({"entityType": "CUSTOMER", "id": p});
    }
    srv.post("/api/customer", Some(token), body).await
}

fn titles(page: &serde_json::Value) -> Vec<String> {
    let mut t: Vec<String> =
        page["data"].as_array().unwrap().iter().map(|c| c["title"].as_str().unwrap().into()).collect();
    t.sort();
    t
}

both!(customer_roles_scope_the_tree, |store| async move {
    let srv = Server::start(store, &[]).await;
    let sys = srv.sysadmin().await;
    let tenant = srv.tenant(&sys, "Schools Inc").await;
    let admin = srv.tenant_admin(&sys, &tenant, "admin@schools.io", "admin-password").await;
    let a = create(&srv, &admin, "School A", None).await.1["id"]["id"].as_str().unwrap().to_string();
    let b = create(&srv, &admin, "School B", None).await.1["id"]["id"].as_str().unwrap().to_string();
    let a1 = create(&srv, &admin, "A Site 1", Some(&a)).await.1["id"]["id"].as_str().unwrap().to_string();

    let a_admins = group_id(&srv, &a, "Customer Administrators").await;
    let a_users = group_id(&srv, &a, "Customer Users").await;
    let b_users = group_id(&srv, &b, "Customer Users").await;
    // Membership is owner-scoped: A's user cannot join B's groups.
    let wrong = srv
        .post(
            &format!("/api/user?sendActivationMail=false&entityGroupIds={b_users}"),
            Some(&admin),
            json!({"email": "x@a.io", "authority": "CUSTOMER_USER", "customerId": {"entityType": "CUSTOMER", "id": a}}),
        )
        .await;
    assert_error(&wrong, 400, 31);

    let ca = customer_user(&srv, &admin, &a, &a_admins, "head@a.io").await;
    let cu = customer_user(&srv, &admin, &a, &a_users, "teacher@a.io").await;

    // The customer administrator manages A's subtree, reads A itself, and nothing of B.
    assert_eq!(srv.get(&format!("/api/customer/{a}"), Some(&ca)).await.0, 200);
    assert_eq!(srv.get(&format!("/api/customer/{a1}"), Some(&ca)).await.0, 200);
    assert_error(&srv.get(&format!("/api/customer/{b}"), Some(&ca)).await, 403, 20);
    let (s, sub) = create(&srv, &ca, "A Site 2", Some(&a)).await;
    assert_eq!(s, 200, "{sub}");
    let (s, deeper) = create(&srv, &ca, "A1 Wing", Some(&a1)).await;
    assert_eq!(s, 200, "{deeper}");
    assert_error(&create(&srv, &ca, "Rogue top-level", None).await, 403, 20);
    assert_error(&create(&srv, &ca, "Under B", Some(&b)).await, 403, 20);
    let (_, page) = srv.get("/api/customerInfos/all?pageSize=50&page=0&includeCustomers=true", Some(&ca)).await;
    assert_eq!(titles(&page), ["A Site 1", "A Site 2", "A1 Wing"]);
    let (_, top) = srv.get("/api/customers?pageSize=50&page=0", Some(&ca)).await;
    assert_eq!(titles(&top), ["School A"], "of the tenant's customers it sees only its own");
    let mut renamed = srv.get(&format!("/api/customer/{a1}"), Some(&ca)).await.1;
    renamed["title"] = json!("A Site 1 (north)");
    assert_eq!(srv.post("/api/customer", Some(&ca), renamed).await.0, 200);
    assert_error(&srv.delete(&format!("/api/customer/{a}"), Some(&ca)).await, 403, 20);

    // The customer user reads, and only reads.
    assert_eq!(srv.get(&format!("/api/customer/{a1}"), Some(&cu)).await.0, 200);
    assert_error(&srv.get(&format!("/api/customer/{b}"), Some(&cu)).await, 403, 20);
    assert_error(&create(&srv, &cu, "Nope", Some(&a)).await, 403, 20);
    assert_error(&srv.delete(&format!("/api/customer/{a1}"), Some(&cu)).await, 403, 20);
    let (_, page) = srv.get(&format!("/api/customer/{a}/customerInfos?pageSize=50&page=0"), Some(&cu)).await;
    assert_eq!(titles(&page), ["A Site 1 (north)", "A Site 2"]);
    assert_error(&srv.get(&format!("/api/customer/{b}/customerInfos?pageSize=50&page=0"), Some(&cu)).await, 403, 20);
    // Creating users is for those with the USER CREATE grant.
    let body =
        json!({"email": "y@a.io", "authority": "CUSTOMER_USER", "customerId": {"entityType": "CUSTOMER", "id": a}});
    assert_error(&srv.post("/api/user?sendActivationMail=false", Some(&cu), body).await, 403, 20);
    srv.stop();
});
