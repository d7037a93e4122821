//! Accounts, sessions, API tokens and the audit log. Sessions live in the
//! database so that several app servers can share them; secrets are stored
//! only as hashes.

use super::{Db, Tx};
use crate::models::{AuditEntry, Role, UserInfo};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A stored account with its password hash (never leaves the server).
#[derive(Clone, Debug, PartialEq)]
pub struct UserRecord {
    pub info: UserInfo,
    pub password_hash: String,
}

fn user_info(row: &AnyRow) -> Result<UserInfo, sqlx::Error> {
    let role: String = row.try_get("role")?;
    Ok(UserInfo {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: Role::parse(&role).ok_or_else(|| sqlx::Error::Decode(format!("unknown role {role}").into()))?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

/// A change an admin makes to one account.
#[derive(Clone, Debug, PartialEq)]
pub enum UserChange {
    Role(Role),
    Disabled(bool),
    /// A new password, already hashed.
    Password(String),
}

impl UserChange {
    /// The audit log's action key.
    fn action(&self) -> &'static str {
        match self {
            UserChange::Role(_) => "user.role",
            UserChange::Disabled(true) => "user.disable",
            UserChange::Disabled(false) => "user.enable",
            UserChange::Password(_) => "user.password",
        }
    }
}

/// Why a change was not made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeRefused {
    NoSuchUser,
    /// It would leave no active admin.
    LastAdmin,
}

/// Creates the first admin and its audit entry in one transaction; `None`
/// when setup is already done (an account exists, or a concurrent setup
/// claimed it first).
pub async fn create_first_admin(
    db: &Db,
    username: &str,
    password_hash: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let users: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&mut *tx).await?.try_get("n")?;
    if !claim_setup(&mut tx).await? || users > 0 {
        return Ok(None);
    }
    let Some(id) = insert_user(&mut tx, username, password_hash, Role::Admin, now).await? else {
        return Ok(None);
    };
    audit(&mut tx, username, "user.create", username, "", "admin (first-start setup)", now).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Creates an account and its audit entry in one transaction; `None` if
/// the username is taken.
pub async fn create_user(
    db: &Db,
    actor: &str,
    username: &str,
    password_hash: &str,
    role: Role,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = db.begin().await?;
    let Some(id) = insert_user(&mut tx, username, password_hash, role, now).await? else {
        return Ok(None);
    };
    audit(&mut tx, actor, "user.create", username, "", role.key(), now).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Applies `change` to account `id` with its audit entry, in one
/// transaction. The last active admin can be neither demoted nor disabled.
pub async fn change_user(
    db: &Db,
    actor: &str,
    id: i64,
    change: &UserChange,
    now: i64,
) -> Result<Result<(), ChangeRefused>, sqlx::Error> {
    let mut tx = db.begin().await?;
    lock_admins(&mut tx).await?;
    let Some(user) = find_by_id(&mut tx, id).await? else {
        return Ok(Err(ChangeRefused::NoSuchUser));
    };
    let removes_admin = user.role == Role::Admin
        && !user.disabled
        && match change {
            UserChange::Role(role) => *role != Role::Admin,
            UserChange::Disabled(disabled) => *disabled,
            UserChange::Password(_) => false,
        };
    if removes_admin && other_active_admins(&mut tx, id).await? == 0 {
        return Ok(Err(ChangeRefused::LastAdmin));
    }
    let state = |disabled: bool| if disabled { "disabled" } else { "enabled" };
    let (old, new) = match change {
        UserChange::Role(role) => {
            set_role(&mut tx, id, *role).await?;
            (user.role.key(), role.key())
        }
        UserChange::Disabled(disabled) => {
            set_disabled(&mut tx, id, *disabled).await?;
            (state(user.disabled), state(*disabled))
        }
        UserChange::Password(hash) => {
            set_password(&mut tx, id, hash).await?;
            ("password", "password reset")
        }
    };
    audit(&mut tx, actor, change.action(), &user.username, old, new, now).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Marks the first-start setup as done; `false` if it already was. The
/// marker's key makes a second, concurrent setup fail.
async fn claim_setup(tx: &mut Tx) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('setup_done', '1') ON CONFLICT (key) DO NOTHING",
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(claimed > 0)
}

pub async fn count_users(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&db.pool).await?.try_get("n")
}

pub async fn list_users(db: &Db) -> Result<Vec<UserInfo>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, username, role, disabled FROM users ORDER BY username")
        .fetch_all(&db.pool)
        .await?;
    rows.iter().map(user_info).collect()
}

pub async fn find_by_username(db: &Db, username: &str) -> Result<Option<UserRecord>, sqlx::Error> {
    let row =
        sqlx::query("SELECT id, username, role, disabled, password_hash FROM users WHERE username = $1")
            .bind(username.to_string())
            .fetch_optional(&db.pool)
            .await?;
    row.map(|r| Ok(UserRecord { info: user_info(&r)?, password_hash: r.try_get("password_hash")? }))
        .transpose()
}

async fn find_by_id(tx: &mut Tx, id: i64) -> Result<Option<UserInfo>, sqlx::Error> {
    let row = sqlx::query("SELECT id, username, role, disabled FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.as_ref().map(user_info).transpose()
}

/// Creates an account; `None` if the username is taken.
async fn insert_user(
    tx: &mut Tx,
    username: &str,
    password_hash: &str,
    role: Role,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let taken = sqlx::query("SELECT COUNT(*) AS n FROM users WHERE username = $1")
        .bind(username.to_string())
        .fetch_one(&mut **tx)
        .await?
        .try_get::<i64, _>("n")?;
    if taken > 0 {
        return Ok(None);
    }
    let row = sqlx::query(
        "INSERT INTO users (username, password_hash, role, disabled, created_at) VALUES ($1, $2, $3, 0, $4) RETURNING id",
    )
    .bind(username.to_string())
    .bind(password_hash.to_string())
    .bind(role.key().to_string())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Some(row.try_get("id")?))
}

async fn set_role(tx: &mut Tx, id: i64, role: Role) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
        .bind(role.key().to_string())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn set_disabled(tx: &mut Tx, id: i64, disabled: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if disabled {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut **tx).await?;
    }
    Ok(())
}

async fn set_password(tx: &mut Tx, id: i64, password_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash.to_string())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// Locks the rows of the active admins until the transaction ends, before
/// the last-admin rule is checked: two admins demoting each other at once
/// then take turns, and the second sees the first's change (issue 16 F7).
/// A no-op update rather than `SELECT … FOR UPDATE`, which SQLite lacks: on
/// Postgres it takes the same row locks (and, read committed, the check after
/// it sees committed changes); on SQLite it takes the write lock before the
/// transaction reads anything.
async fn lock_admins(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET role = role WHERE role = 'admin' AND disabled = 0")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Active admins other than `except`: the last admin may not be removed.
async fn other_active_admins(tx: &mut Tx, except: i64) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND id <> $1")
        .bind(except)
        .fetch_one(&mut **tx)
        .await?
        .try_get("n")
}

pub async fn insert_session(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    // Expired sessions are pruned as new ones start.
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&db.pool).await?;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash.to_string())
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The enabled user of an unexpired session.
pub async fn session_user(db: &Db, token_hash: &str, now: i64) -> Result<Option<UserInfo>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT u.id, u.username, u.role, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
    )
    .bind(token_hash.to_string())
    .bind(now)
    .fetch_optional(&db.pool)
    .await?;
    row.as_ref().map(user_info).transpose()
}

pub async fn delete_session(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash.to_string())
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Appends one change to the audit log.
pub async fn audit(
    conn: &mut sqlx::AnyConnection,
    actor: &str,
    action: &str,
    entity: &str,
    old: &str,
    new: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO audit_log (at, actor, action, entity, old_value, new_value) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(now)
        .bind(actor.to_string())
        .bind(action.to_string())
        .bind(entity.to_string())
        .bind(old.to_string())
        .bind(new.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn audit_entries(db: &Db, limit: i64) -> Result<Vec<AuditEntry>, sqlx::Error> {
    audit_page(db, None, limit).await
}

/// Up to `limit` entries, newest first, older than entry `before` when
/// given: a keyset page on the primary key.
pub async fn audit_page(db: &Db, before: Option<i64>, limit: i64) -> Result<Vec<AuditEntry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, at, actor, action, entity, old_value, new_value FROM audit_log \
         WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                entity: r.try_get("entity")?,
                old_value: r.try_get("old_value")?,
                new_value: r.try_get("new_value")?,
            })
        })
        .collect()
}
