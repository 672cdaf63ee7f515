//! The engine's rooms: each owns one part of the work and the server's adapters talk to the room, not
//! to one object with every method. They share the engine's state (store, index, registry client, GC
//! lock) and its helpers — resolving names, reading configs, storing images, collecting garbage — which
//! they reach through `Deref` to [`Engine`].
use std::ops::Deref;

use crate::Engine;

macro_rules! room {
    ($(#[$doc:meta])* $name:ident, $accessor:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(Engine);

        impl Deref for $name {
            type Target = Engine;
            fn deref(&self) -> &Engine {
                &self.0
            }
        }

        impl Engine {
            pub fn $accessor(&self) -> $name {
                $name(self.clone())
            }
        }
    };
}

room!(
    /// Names and local images: list, inspect, history, tag, remove, prune, disk usage, import, save, load.
    Images,
    images
);
room!(
    /// Registries: pull, push, search, login and logout, stored credentials.
    Transfers,
    transfers
);
room!(
    /// Working containers: create, exec, commit, list, remove.
    Containers,
    containers
);
room!(
    /// Dockerfile builds.
    Builds,
    builds
);
room!(
    /// The content store as a whole: consistency checks (and, later, the content and lease services).
    Content,
    content
);
