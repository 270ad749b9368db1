//! Who may read and write what (lizard-api.md §4), for the API and the map
//! services alike.
//!
//! Access modifiers, for callers who are not superusers:
//!
//! * `Public`: everybody, anonymous callers included.
//! * `Common`: every authenticated user.
//! * `Private`: users with a data role (user, supplier, admin) in the owning
//!   organisation or in an organisation the object is shared with.
//! * `Hidden`: only those who may change the object — the owning
//!   organisation's admins, and its supplier. A hidden object is a draft or
//!   retired object: it stays out of lists and capabilities for everyone
//!   else, and answers as if it did not exist.
//!
//! Writing needs the admin role in the owning organisation, or the supplier
//! role there for objects the caller supplies. Managers grant roles only.

use super::people;
use super::people::{RoleKind, User};
use super::records::{AccessModifier, LayerCollection, RasterLayer};
use super::snapshot::Snapshot;
use super::source::RasterSource;
use chrono::Utc;
use uuid::Uuid;

/// The authenticated identity behind a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Caller {
    Anonymous,
    User {
        id: i64,
        username: String,
        superuser: bool,
        roles: Vec<(Uuid, RoleKind)>,
    },
}

impl Caller {
    /// The caller for an active user, with their roles.
    pub fn for_user(snap: &Snapshot, user: &User) -> Caller {
        Caller::User {
            id: user.id,
            username: user.username.clone(),
            superuser: user.is_superuser,
            roles: snap
                .roles_of(user.id)
                .iter()
                .map(|r| (r.organisation, r.role))
                .collect(),
        }
    }

    /// The caller a personal API key (`prefix.secret`) stands for, or `None`
    /// when the key is unknown, wrong, revoked, expired, FTP-only, or its
    /// user is inactive.
    pub fn from_key(snap: &Snapshot, key: &str) -> Option<Caller> {
        let (prefix, _) = people::split_key(key)?;
        let record = snap.api_key(prefix)?;
        if !people::key_matches(record, key) || !record.valid_at(Utc::now()) {
            return None;
        }
        let user = snap.user(record.user).filter(|u| u.is_active)?;
        Some(Caller::for_user(snap, user))
    }

    pub fn is_authenticated(&self) -> bool {
        matches!(self, Caller::User { .. })
    }

    pub fn is_superuser(&self) -> bool {
        matches!(
            self,
            Caller::User {
                superuser: true,
                ..
            }
        )
    }

    pub fn user_id(&self) -> Option<i64> {
        match self {
            Caller::User { id, .. } => Some(*id),
            Caller::Anonymous => None,
        }
    }

    pub fn username(&self) -> Option<&str> {
        match self {
            Caller::User { username, .. } => Some(username),
            Caller::Anonymous => None,
        }
    }

    /// Holds one of `kinds` in `org`.
    pub fn has_role(&self, org: Uuid, kinds: &[RoleKind]) -> bool {
        match self {
            Caller::User { roles, .. } => roles.iter().any(|(o, r)| *o == org && kinds.contains(r)),
            Caller::Anonymous => false,
        }
    }

    /// May grant and revoke roles in `org`.
    pub fn may_manage(&self, org: Uuid) -> bool {
        self.is_superuser() || self.has_role(org, &[RoleKind::Manager])
    }

    /// May create objects owned by `org` (admins and suppliers there).
    pub fn may_create_in(&self, org: Uuid) -> bool {
        self.is_superuser() || self.has_role(org, &[RoleKind::Admin, RoleKind::Supplier])
    }
}

const DATA_ROLES: &[RoleKind] = &[RoleKind::User, RoleKind::Supplier, RoleKind::Admin];

/// What the rules need to know of an object.
#[derive(Clone, Copy, Debug)]
pub struct Guard<'a> {
    pub organisation: Uuid,
    pub access: AccessModifier,
    pub shared_with: &'a [Uuid],
    pub supplier: Option<&'a str>,
}

impl<'a> Guard<'a> {
    /// The guard of a raster layer: its organisation, access, the
    /// organisations it is shared with, and its supplier.
    pub fn layer(layer: &'a RasterLayer) -> Guard<'a> {
        Guard {
            organisation: layer.organisation,
            access: layer.access_modifier,
            shared_with: &layer.shared_with,
            supplier: layer.supplier.as_deref(),
        }
    }

    /// The guard of a raster source (never shared).
    pub fn source(source: &'a RasterSource) -> Guard<'a> {
        Guard {
            organisation: source.organisation,
            access: source.access_modifier,
            shared_with: &[],
            supplier: source.supplier.as_deref(),
        }
    }

    /// The guard of a layer collection (never shared).
    pub fn collection(collection: &'a LayerCollection) -> Guard<'a> {
        Guard {
            organisation: collection.organisation,
            access: collection.access_modifier,
            shared_with: &[],
            supplier: collection.supplier.as_deref(),
        }
    }

    pub fn can_read(&self, caller: &Caller) -> bool {
        if caller.is_superuser() {
            return true;
        }
        match self.access {
            AccessModifier::Public => true,
            AccessModifier::Common => caller.is_authenticated(),
            AccessModifier::Private => {
                caller.has_role(self.organisation, DATA_ROLES)
                    || self
                        .shared_with
                        .iter()
                        .any(|o| caller.has_role(*o, DATA_ROLES))
            }
            AccessModifier::Hidden => self.can_write(caller),
        }
    }

    pub fn can_write(&self, caller: &Caller) -> bool {
        if caller.is_superuser() || caller.has_role(self.organisation, &[RoleKind::Admin]) {
            return true;
        }
        caller.has_role(self.organisation, &[RoleKind::Supplier])
            && self.supplier.is_some()
            && self.supplier == caller.username()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(roles: &[(Uuid, RoleKind)]) -> Caller {
        Caller::User {
            id: 7,
            username: "ann".into(),
            superuser: false,
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn the_access_table() {
        let (org, other, third) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let shared = [other];
        let guard = |access, supplier| Guard {
            organisation: org,
            access,
            shared_with: &shared,
            supplier,
        };
        let anon = Caller::Anonymous;
        let stranger = user(&[(third, RoleKind::Admin)]);
        let member = user(&[(org, RoleKind::User)]);
        let friend = user(&[(other, RoleKind::User)]);
        let manager = user(&[(org, RoleKind::Manager)]);
        let supplier = user(&[(org, RoleKind::Supplier)]);
        let admin = user(&[(org, RoleKind::Admin)]);
        let root = Caller::User {
            id: 1,
            username: "root".into(),
            superuser: true,
            roles: vec![],
        };
        use AccessModifier::*;
        // (access, supplier) → readers among anon, stranger, member, friend, manager, supplier, admin, root
        let cases: [(AccessModifier, Option<&str>, [bool; 8]); 5] = [
            (Public, None, [true; 8]),
            (
                Common,
                None,
                [false, true, true, true, true, true, true, true],
            ),
            (
                Private,
                None,
                [false, false, true, true, false, true, true, true],
            ),
            (
                Hidden,
                None,
                [false, false, false, false, false, false, true, true],
            ),
            (
                Hidden,
                Some("ann"),
                [false, false, false, false, false, true, true, true],
            ),
        ];
        let callers = [
            &anon, &stranger, &member, &friend, &manager, &supplier, &admin, &root,
        ];
        for (access, sup, want) in cases {
            let g = guard(access, sup);
            let got: Vec<bool> = callers.iter().map(|c| g.can_read(c)).collect();
            assert_eq!(got, want, "{access:?} {sup:?}");
        }
        // Writing: admins, superusers, and suppliers of their own objects.
        let writers = |g: Guard| callers.iter().map(|c| g.can_write(c)).collect::<Vec<_>>();
        assert_eq!(
            writers(guard(Public, None)),
            [false, false, false, false, false, false, true, true]
        );
        assert_eq!(
            writers(guard(Public, Some("ann"))),
            [false, false, false, false, false, true, true, true]
        );
        assert!(manager.may_manage(org) && !admin.may_manage(org) && root.may_manage(org));
        assert!(supplier.may_create_in(org) && !member.may_create_in(org));
    }
}
