//! `Tokens de acceso`: the integration API's tokens of the authorisation. Authorised users see
//! and revoke their own; the main user every token of the authorisation. Tokens are created
//! by the operator (`casia create-token`) and shown only then.

use casia_domain::dto::{TokenList, TokenView};
use casia_domain::{Msg, Role};
use leptos::prelude::*;

use crate::components::forms::{on_answer, successes};
use crate::components::{ErrorBanner, Guarded, Loaded};
use crate::context::t;
use crate::error::AppError;

#[server(endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<TokenList, AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    casia_services::api_tokens::list(&services().db, &c)
        .await
        .map_err(fail)
}

#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    use crate::server::{fail, require, services};
    let c = require(&[Role::Autorizado]).await?;
    casia_services::api_tokens::revoke(&services().db, &c, id)
        .await
        .map_err(fail)
}

#[component]
pub fn TokensPage() -> impl IntoView {
    view! { <Guarded roles=&[Role::Autorizado] children=move |_| view! { <TokensView/> }/> }
}

fn status(token: &TokenView) -> Msg {
    if token.revoked_at.is_some() {
        Msg::TokenRevocado
    } else if token.expired {
        Msg::TokenCaducado
    } else {
        Msg::TokenActivo
    }
}

#[component]
fn TokensView() -> impl IntoView {
    let revoke = ServerAction::<RevokeApiToken>::new();
    let revoked = successes(revoke);
    let tokens = Resource::new(move || revoked.get(), |_| list_api_tokens());
    let failure = RwSignal::new(None::<AppError>);
    on_answer(revoke, move |answer| {
        failure.set(answer.err());
    });
    let row = move |token: TokenView| {
        let id = token.id;
        let live = token.revoked_at.is_none() && !token.expired;
        let scopes = token
            .scopes
            .iter()
            .map(|s| s.code())
            .collect::<Vec<_>>()
            .join(", ");
        let state = status(&token);
        view! {
            <tr data-testid="token-row">
                <td data-testid="token-name">{token.name.clone()}</td>
                <td>{token.owner.clone()}</td>
                <td><code>{scopes}</code></td>
                <td>{token.created_at.clone()}</td>
                <td>{token.expires_at.clone().unwrap_or_else(|| "—".into())}</td>
                <td>{match token.last_used_at.clone() { Some(at) => at.into_any(), None => t(Msg::TokenNuncaUsado).into_any() }}</td>
                <td data-testid="token-status">{t(state)}</td>
                <td>
                    <Show when=move || live>
                        <button type="button" class="button button-secondary button-small" data-testid="token-revoke"
                            on:click=move |_| { revoke.dispatch(RevokeApiToken { id }); }>
                            {t(Msg::Revocar)}
                        </button>
                    </Show>
                </td>
            </tr>
        }
    };
    view! {
        <div class="panel">
            <div class="panel-head">
                <h1>{t(Msg::TokensAcceso)}</h1>
                <a class="button button-secondary" href="/api/v1/reference" rel="external">{t(Msg::ReferenciaApi)}</a>
            </div>
            <p>{t(Msg::TokensAyuda)}</p>
            <ErrorBanner error=Signal::derive(move || failure.get())/>
            <Loaded resource=tokens children=move |list: TokenList| {
                let main = list.is_main_user;
                match list.tokens {
                    tokens if tokens.is_empty() => view! { <p data-testid="tokens-empty">{t(Msg::TokensVacio)}</p> }.into_any(),
                    tokens => view! {
                        {main.then(|| view! { <p class="small muted">{t(Msg::TokensPrincipal)}</p> })}
                        <div class="table-scroll">
                            <table class="table">
                                <thead><tr>
                                    <th scope="col">{t(Msg::Nombre)}</th>
                                    <th scope="col">{t(Msg::TokenTitular)}</th>
                                    <th scope="col">{t(Msg::TokenPermisos)}</th>
                                    <th scope="col">{t(Msg::TokenCreado)}</th>
                                    <th scope="col">{t(Msg::TokenCaduca)}</th>
                                    <th scope="col">{t(Msg::TokenUltimoUso)}</th>
                                    <th scope="col">{t(Msg::TokenEstado)}</th>
                                    <th scope="col"><span class="visually-hidden">{t(Msg::Revocar)}</span></th>
                                </tr></thead>
                                <tbody>{tokens.into_iter().map(row).collect_view()}</tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            }/>
        </div>
    }
}
