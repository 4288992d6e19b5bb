// Sign in as a demo fan (POST /auth/token), or with an access token minted elsewhere when demo sign-in is off.

import { api, ApiError } from '../api'
import { busy, errorBox, h, noticeBox, pageTitle, replaceChildren } from '../dom'
import { t } from '../i18n'
import { navigate, type ViewContext } from '../router'
import { session, sessionFromJwt, setSession } from '../session'

const USER_ID = /^[A-Za-z0-9_-]{1,64}$/

function goNext (): void {
  const next = sessionStorage.getItem('cr.next')
  sessionStorage.removeItem('cr.next')
  // The sign-in screen gives way to where the fan was going: Back must not return to it.
  navigate(next && next !== '/signin' ? next : '/concerts', { replace: true })
}

export function signInView ({ root }: ViewContext): void {
  const flash = sessionStorage.getItem('cr.flash')
  sessionStorage.removeItem('cr.flash')
  // Signed out by the server (expired, or a restart): the name is still the fan's; only the sign-in is new.
  const lastUser = flash === 'expired' ? sessionStorage.getItem('cr.lastUser') : null
  const feedback = h('div', { class: 'feedback' })
  if (flash === 'expired') feedback.appendChild(noticeBox('warning', t('signin.expired')))

  const input = h('input', {
    id: 'user-id', name: 'userId', type: 'text', required: true, autocomplete: 'username',
    maxlength: '64', pattern: '[A-Za-z0-9_\\-]{1,64}', spellcheck: 'false', autocapitalize: 'off',
    'aria-describedby': 'user-id-help', value: session()?.userId ?? lastUser ?? '', autofocus: true
  })
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('signin.submit'))
  const tokenArea = h('textarea', { id: 'access-token', name: 'accessToken', rows: '3', required: true, spellcheck: 'false' })
  const tokenDetails = h('details', { class: 'token-login' },
    h('summary', null, t('signin.tokenSummary')),
    h('form', {
      class: 'form',
      onSubmit: (event: Event) => {
        event.preventDefault()
        const next = sessionFromJwt(tokenArea.value)
        if (!next) { replaceChildren(feedback, noticeBox('warning', t('signin.tokenInvalid'))); return }
        setSession(next)
        goNext()
      }
    },
    h('div', { class: 'field' }, h('label', { for: 'access-token' }, t('signin.token')), tokenArea),
    h('button', { type: 'submit', class: 'btn' }, t('signin.tokenSubmit'))
    )
  )

  const form = h('form', {
    class: 'form',
    novalidate: true,
    onSubmit: (event: Event) => {
      event.preventDefault()
      const userId = input.value.trim()
      if (!USER_ID.test(userId)) {
        input.setAttribute('aria-invalid', 'true')
        replaceChildren(feedback, noticeBox('warning', t('signin.invalid')))
        input.focus()
        return
      }
      input.removeAttribute('aria-invalid')
      replaceChildren(feedback)
      void busy(submit, t('signin.submit'), async () => {
        try {
          const token = await api.signIn(userId)
          setSession({ userId, accessToken: token.accessToken, expiresAt: token.expiresAt })
          goNext()
        } catch (error) {
          if (error instanceof ApiError && error.status === 404) {
            replaceChildren(feedback, noticeBox('warning', t('signin.devLoginOff')))
            tokenDetails.open = true
          } else {
            replaceChildren(feedback, errorBox(error))
          }
        }
      })
    }
  },
  h('div', { class: 'field' },
    h('label', { for: 'user-id' }, t('signin.userId')),
    input,
    h('p', { class: 'help', id: 'user-id-help' }, t('signin.userIdHelp'))
  ),
  submit
  )

  replaceChildren(root,
    h('section', { class: 'card narrow' },
      pageTitle(t('signin.title')),
      h('p', { class: 'lead' }, t('signin.lead')),
      feedback,
      form,
      tokenDetails
    )
  )
  input.focus()
}
