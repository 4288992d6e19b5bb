// "Best available": how many seats and where (any section, one section, one grade), held in one tap; the service
// picks seats side by side in one row, nearest the stage first.

import { ApiError, type HoldRequest } from '../api'
import { busy, errorBox, h, replaceChildren } from '../dom'
import { t } from '../i18n'
import { SEATS_PER_ORDER, problemBox } from '../views/booking'

export interface BestOptions {
  sections: string[]
  grades: string[]
  /** The scope chosen at first: a section's screen starts with that section. */
  section?: string | null
  hold: (what: HoldRequest) => Promise<unknown>
  /** Explains a refusal the box does not explain itself (the hold limit, the queue pass). */
  explain: (error: unknown, what: HoldRequest) => HTMLElement | null
}

type Scope = { kind: 'any' } | { kind: 'section', name: string } | { kind: 'grade', name: string }

function scopeValue (scope: Scope): string { return scope.kind === 'any' ? 'any' : `${scope.kind}:${scope.name}` }

function parseScope (value: string): Scope {
  if (value.startsWith('section:')) return { kind: 'section', name: value.slice(8) }
  if (value.startsWith('grade:')) return { kind: 'grade', name: value.slice(6) }
  return { kind: 'any' }
}

export function bestAvailableBox (options: BestOptions): HTMLElement {
  const feedback = h('div', { class: 'feedback', 'data-testid': 'best-feedback' })
  const count = h('select', { id: 'best-count', class: 'select' },
    Array.from({ length: SEATS_PER_ORDER }, (_, i) => h('option', { value: String(i + 1), selected: i === 1 && SEATS_PER_ORDER > 1 }, String(i + 1))))
  const initial: Scope = options.section ? { kind: 'section', name: options.section } : { kind: 'any' }
  const where = h('select', { id: 'best-where', class: 'select' },
    h('option', { value: 'any' }, t('best.any')),
    options.sections.length > 1 && h('optgroup', { label: t('best.sections') },
      options.sections.map(name => h('option', { value: `section:${name}` }, t('seats.section', { section: name })))),
    options.grades.length > 0 && h('optgroup', { label: t('best.grades') },
      options.grades.map(name => h('option', { value: `grade:${name}` }, t('best.grade', { grade: name }))))
  )
  where.value = scopeValue(initial)
  if (where.value === '') where.value = 'any'
  const button = h('button', { type: 'button', class: 'btn btn-primary btn-block', 'data-testid': 'best-hold' })
  const label = () => {
    const n = Number(count.value)
    button.textContent = n === 1 ? t('best.holdOne') : t('best.hold', { count: n })
  }
  count.addEventListener('change', () => { label(); replaceChildren(feedback) })
  where.addEventListener('change', () => replaceChildren(feedback))
  label()

  button.addEventListener('click', () => {
    const quantity = Number(count.value)
    const scope = parseScope(where.value)
    const what: HoldRequest = scope.kind === 'any' ? { quantity } : scope.kind === 'section' ? { quantity, section: scope.name } : { quantity, grade: scope.name }
    replaceChildren(feedback)
    void busy(button, t('seats.holding'), async () => {
      try {
        await options.hold(what)
      } catch (error) {
        const explained = options.explain(error, what)
        if (explained) { replaceChildren(feedback, explained); return }
        if (error instanceof ApiError && error.code === 'SEAT_UNAVAILABLE') {
          const message = scope.kind === 'section'
            ? t('best.noneSection', { count: quantity, section: scope.name })
            : scope.kind === 'grade' ? t('best.noneGrade', { count: quantity, grade: scope.name }) : t('best.noneAny', { count: quantity })
          replaceChildren(feedback, problemBox(error, message))
          return
        }
        replaceChildren(feedback, errorBox(error))
      }
    }).then(label)
  })

  return h('section', { class: 'card best-card', 'aria-labelledby': 'best-title', 'data-testid': 'best-available' },
    h('h2', { id: 'best-title', class: 'panel-title' }, t('best.title')),
    h('p', { class: 'help' }, t('best.lead')),
    h('div', { class: 'best-fields' },
      h('div', { class: 'field' }, h('label', { for: 'best-count' }, t('best.count')), count),
      h('div', { class: 'field' }, h('label', { for: 'best-where' }, t('best.where')), where)
    ),
    button,
    feedback
  )
}
