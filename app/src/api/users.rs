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
    use crate::store::users::{self, ChangeRefused, UserChange};
    use crate::store::Db;

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
        users::create_user(db, actor, &username, &hash_password(password), role, now())
            .await?
            .ok_or_else(|| AppError::invalid("username", "This username is taken."))?;
        Ok(())
    }

    pub async fn update(db: &Db, actor: &str, id: i64, action: &str, value: &str) -> Result<(), AppError> {
        let change = match action {
            "role" => UserChange::Role(parse_role(value)?),
            "disable" | "enable" => UserChange::Disabled(action == "disable"),
            "password" => {
                check_new_password(value, value)?;
                UserChange::Password(hash_password(value))
            }
            _ => return Err(AppError::BadRequest(format!("Unknown action '{action}'."))),
        };
        users::change_user(db, actor, id, &change, now()).await?.map_err(|refused| match refused {
            ChangeRefused::NoSuchUser => AppError::NotFound("That user".into()),
            ChangeRefused::LastAdmin => {
                AppError::Conflict("This is the last admin: make another user admin first.".into())
            }
        })
    }
}
