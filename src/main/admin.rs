//! `tegel admin …`: operator actions on the users, roles and keys of a data
//! dir, written through `catalogue::admin`. A running server over the same
//! data dir sees them within a second. Commands that make a key print it
//! alone on the last line of stdout (it is shown only then).

use clap::{Args, Subcommand};
use tegel::catalogue::{Catalogue, RoleKind, admin};

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Create a superuser with a new API key; prints the key on the last line.
    CreateSuperuser(UserArgs),
    /// Create a user (a superuser with --superuser) with a new API key; prints the key on the last line.
    CreateUser(NewUserArgs),
    /// Create a new API key for an existing user; prints the key on the last line.
    CreateKey(KeyArgs),
    /// Revoke the API key with this prefix (the part before the dot).
    RevokeKey(PrefixArgs),
    /// Give a user a role in an organisation.
    Grant(RoleArgs),
    /// Take a role in an organisation away from a user.
    Revoke(RoleArgs),
    /// Print every user with roles and keys (no secrets), one JSON object a line.
    ListUsers,
}

#[derive(Args)]
pub struct UserArgs {
    #[arg(long)]
    username: String,
    /// Name of the new key.
    #[arg(long, default_value = "tegel admin")]
    key_name: String,
}

#[derive(Args)]
pub struct NewUserArgs {
    #[command(flatten)]
    user: UserArgs,
    #[arg(long)]
    superuser: bool,
}

#[derive(Args)]
pub struct KeyArgs {
    #[arg(long)]
    username: String,
    /// Name of the new key.
    #[arg(long = "name", default_value = "tegel admin")]
    key_name: String,
}

#[derive(Args)]
pub struct PrefixArgs {
    #[arg(long)]
    prefix: String,
}

#[derive(Args)]
pub struct RoleArgs {
    #[arg(long)]
    username: String,
    /// The organisation's slug or uuid.
    #[arg(long)]
    organisation: String,
    /// user, supplier, admin or manager.
    #[arg(long, value_parser = parse_role)]
    role: RoleKind,
}

fn parse_role(s: &str) -> Result<RoleKind, String> {
    RoleKind::parse(s).ok_or_else(|| format!("{s:?} is not one of user, supplier, admin, manager"))
}

/// Runs one admin command on the catalogue; what it prints goes to stdout.
pub fn run(catalogue: &Catalogue, command: AdminCommand) -> Result<(), String> {
    let err = |e: tegel::catalogue::CatalogueError| e.to_string();
    match command {
        AdminCommand::CreateSuperuser(a) => new_user(catalogue, &a, true),
        AdminCommand::CreateUser(a) => new_user(catalogue, &a.user, a.superuser),
        AdminCommand::CreateKey(a) => {
            let key = admin::create_key(catalogue, &a.username, &a.key_name).map_err(err)?;
            println!("{key}");
            Ok(())
        }
        AdminCommand::RevokeKey(a) => {
            let owner = admin::revoke_key(catalogue, a.prefix.trim()).map_err(err)?;
            eprintln!("revoked key {} of {owner:?}", a.prefix.trim());
            Ok(())
        }
        AdminCommand::Grant(a) => {
            let org = org(catalogue, &a.organisation)?;
            admin::grant(catalogue, &a.username, org, a.role).map_err(err)?;
            eprintln!(
                "{:?} is {} in {}",
                a.username,
                a.role.name(),
                a.organisation
            );
            Ok(())
        }
        AdminCommand::Revoke(a) => {
            let org = org(catalogue, &a.organisation)?;
            admin::revoke_role(catalogue, &a.username, org, a.role).map_err(err)?;
            eprintln!(
                "{:?} is no longer {} in {}",
                a.username,
                a.role.name(),
                a.organisation
            );
            Ok(())
        }
        AdminCommand::ListUsers => {
            for line in admin::user_summaries(catalogue.snapshot().data()) {
                println!("{line}");
            }
            Ok(())
        }
    }
}

fn new_user(catalogue: &Catalogue, a: &UserArgs, superuser: bool) -> Result<(), String> {
    let (user, key) = admin::create_user_with_key(catalogue, &a.username, superuser, &a.key_name)
        .map_err(|e| e.to_string())?;
    let what = if superuser { "superuser" } else { "user" };
    println!(
        "created {what} {:?} (id {}); API key:",
        user.username, user.id
    );
    println!("{key}");
    Ok(())
}

fn org(catalogue: &Catalogue, slug_or_uuid: &str) -> Result<uuid::Uuid, String> {
    admin::find_organisation(catalogue.snapshot().data(), slug_or_uuid).map_err(|e| e.to_string())
}
