//! The app frame: header with the product name, navigation between screens,
//! the signed-in user with a sign-out button, and the main content area.
//! All of it is rendered on the server: links are ordinary page loads, and
//! signing out is a plain form.

use crate::api::auth::{get_me, Logout};
use crate::models::Role;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// The screens of Aftercare; `live` ones have a page, the others are
/// announced in the navigation but not yet linked.
const SCREENS: &[(&str, &str, bool)] = &[
    ("/", "Overview", true),
    ("/variance", "Variance", true),
    ("/trends", "Trends", true),
    ("/matrix", "Matrix", true),
    ("/finance", "Finance", false),
    ("/benchmarks", "Benchmarks", false),
    ("/targets", "Targets", true),
    ("/actions", "Actions", true),
    ("/data", "Data", true),
];

const ADMIN_SCREENS: &[(&str, &str)] =
    &[("/admin/users", "Users"), ("/admin/tokens", "Tokens"), ("/admin/audit", "Audit")];

/// Wraps every page in the header and navigation.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    // Asked again on every navigation, so signing in or out shows at once.
    let pathname = use_location().pathname;
    let me = Resource::new(move || pathname.get(), |_| get_me());
    let logout = ServerAction::<Logout>::new();
    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"A"</span>
                    <span class="brand-name">"Aftercare"</span>
                </a>
                <nav class="nav" aria-label="Screens">
                    <ul>
                        {SCREENS.iter().map(|(href, label, live)| nav_item(href, label, *live)).collect_view()}
                    </ul>
                </nav>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        me.await.ok().and_then(|m| m.user).map(|user| {
                            let admin_links = (user.role == Role::Admin).then(|| view! {
                                <nav class="admin-nav" aria-label="Administration">
                                    {ADMIN_SCREENS.iter().map(|(href, label)| view! { <A href=*href>{*label}</A> }).collect_view()}
                                </nav>
                            });
                            view! {
                                <div class="user-menu">
                                    {admin_links}
                                    <span class="user-name">{user.username}</span>
                                    <span class="badge">{user.role.key()}</span>
                                    <ActionForm action=logout>
                                        <button type="submit" class="btn btn-small">"Sign out"</button>
                                    </ActionForm>
                                </div>
                            }
                        })
                    })}
                </Transition>
            </header>
            <main class="content">{children()}</main>
            <footer class="footer">
                "Aftercare · post-purchase support analytics · "
                <a href="/charts">"Chart gallery"</a>
                " · "
                <a href="/docs">"Formats and API"</a>
                <HydrationMark/>
            </footer>
        </div>
    }
}

/// The heading block of a page: a small label above its title, and an
/// optional line of explanation.
#[component]
pub fn PageHead(
    eyebrow: &'static str,
    title: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="page-head">
            <div>
                <p class="eyebrow">{eyebrow}</p>
                <h1>{title}</h1>
                {children.map(|c| view! { <p class="muted">{c()}</p> })}
            </div>
        </div>
    }
}

fn nav_item(href: &'static str, label: &'static str, live: bool) -> AnyView {
    if live {
        view! { <li><A href=href exact=true>{label}</A></li> }.into_any()
    } else {
        view! {
            <li>
                <span class="nav-soon" aria-disabled="true" title="Coming in a next release">{label}</span>
            </li>
        }
        .into_any()
    }
}

/// Marks the document once the islands are alive (they hydrate in document
/// order, and this one comes last), so no-JavaScript fallbacks can hide and
/// tests know when the page responds.
#[island]
fn HydrationMark() -> impl IntoView {
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "");
        }
    });
}
