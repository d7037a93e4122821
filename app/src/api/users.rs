//! User management for admins: create, change role, disable, reset password.
//! The last active admin can be neither demoted nor disabled.

use crate::error::AppError;
use crate::models::UserInfo;
use leptos::prelude::*;

#[server(endpoint = "list_users")]
pub async fn list_users() -> Result<Vec<UserInfo>, AppError> {
    super::respond(async move {
        let db = super::db()?;
        crate::auth::session::require(&db, crate::models::Role::Admin).await?;
        Ok(crate::store::users::list_users(&db).await?)
    })
    .await
}

#[server(endpoint = "create_user")]
pub async fn create_user(username: String, role: String, password: String) -> Result<(), AppError> {
    super::respond(async move {
        let db = super::db()?;
        let admin = crate::auth::session::require(&db, crate::models::Role::Admin).await?;
        server::create(&db, &admin.username, &username, &role, &password).await
    })
    .await
}

/// `action` is one of `role`, `disable`, `enable`, `password`; `value` is the
/// new role or password.
#[server(endpoint = "update_user")]
pub async fn update_user(id: i64, action: String, value: Option<String>) -> Result<(), AppError> {
    super::respond(async move {
        let db = super::db()?;
        let admin = crate::auth::session::require(&db, crate::models::Role::Admin).await?;
        server::update(&db, &admin.username, id, &action, value.as_deref().unwrap_or_default()).await
    })
    .await
}

#[cfg(feature = "ssr")]
pub mod server {
    use crate::api::auth::server::check_new_password;
    use crate::auth::session::now;
    use crate::error::AppError;
    use crate::models::{normalise_username, Role};
    use crate::secrets::hash_password;
    use crate::store::{users, Db};

    fn parse_role(role: &str) -> Result<Role, AppError> {
        Role::parse(role).ok_or_else(|| AppError::invalid("role", "Choose viewer, manager or admin."))
    }

    pub async fn create(
        db: &Db,
        actor: &str,
        username: &str,
        role: &str,
        password: &str,
    ) -> Result<(), AppError> {
        let username = normalise_username(username).map_err(AppError::from)?;
        let role = parse_role(role)?;
        check_new_password(password, password)?;
        let hash = hash_password(password);
        let mut tx = db.begin().await?;
        users::insert_user(&mut tx, &username, &hash, role, now())
            .await?
            .ok_or_else(|| AppError::invalid("username", "This username is taken."))?;
        users::audit(&mut tx, actor, "user.create", &username, "", role.key(), now()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn update(db: &Db, actor: &str, id: i64, action: &str, value: &str) -> Result<(), AppError> {
        let mut tx = db.begin().await?;
        users::lock_admins(&mut tx).await?;
        let user =
            users::find_by_id(&mut tx, id).await?.ok_or_else(|| AppError::NotFound("That user".into()))?;
        let removes_admin = user.role == Role::Admin
            && !user.disabled
            && (action == "disable" || (action == "role" && value != Role::Admin.key()));
        if removes_admin && users::other_active_admins(&mut tx, id).await? == 0 {
            return Err(AppError::Conflict("This is the last admin: make another user admin first.".into()));
        }
        let (old, new) = match action {
            "role" => {
                let role = parse_role(value)?;
                users::set_role(&mut tx, id, role).await?;
                (user.role.key().to_string(), role.key().to_string())
            }
            "disable" | "enable" => {
                users::set_disabled(&mut tx, id, action == "disable").await?;
                let state = |d: bool| if d { "disabled" } else { "enabled" }.to_string();
                (state(user.disabled), state(action == "disable"))
            }
            "password" => {
                check_new_password(value, value)?;
                users::set_password(&mut tx, id, &hash_password(value)).await?;
                ("password".to_string(), "password reset".to_string())
            }
            _ => return Err(AppError::BadRequest(format!("Unknown action '{action}'."))),
        };
        users::audit(&mut tx, actor, &format!("user.{action}"), &user.username, &old, &new, now()).await?;
        tx.commit().await?;
        Ok(())
    }
}
