// Drafts: keep a form's answers as the person types, so a time-out never loses their work.
//
// Every <form data-draft-url="..."> posts its fields (never passwords, never the CSRF token
// as a field) to that address a moment after each change, and every 15 seconds while
// something has changed since the last save. Nothing is sent while nothing changes, so an
// idle page lets the session time out as it should. The server answers
// {"saved_at": "10:42"}; a 401 means the session has ended, and saving stops (what was
// saved last is restored after signing in again). A module file rather than an inline
// script, for the Content-Security-Policy. See safeguard/core/drafts.py.

const INTERVAL_MS = 15000
const CHANGE_DELAY_MS = 250

function answers (form) {
  const data = new FormData(form)
  for (const field of form.querySelectorAll('input[type="password"]')) {
    data.delete(field.name)
  }
  data.delete('save-draft')
  return data
}

function fingerprint (data) {
  const parts = []
  for (const [name, value] of data.entries()) {
    if (name !== 'csrfmiddlewaretoken') parts.push(`${name}=${value}`)
  }
  return parts.join('&')
}

function startDrafts (form) {
  const url = form.dataset.draftUrl
  const status = form.querySelector('[data-draft-status]')
  const tokenField = form.querySelector('input[name="csrfmiddlewaretoken"]')
  let lastSaved = fingerprint(answers(form))
  let stopped = false
  let sending = false

  async function save () {
    if (stopped || sending) return
    const data = answers(form)
    const now = fingerprint(data)
    if (now === lastSaved) return
    sending = true
    try {
      const response = await fetch(url, {
        method: 'POST',
        body: data,
        credentials: 'same-origin',
        headers: { 'X-CSRFToken': tokenField ? tokenField.value : '' },
        redirect: 'error'
      })
      if (response.status === 401 || response.status === 403) {
        stopped = true
        if (status) status.textContent = 'Your answers could not be saved as a draft: sign in again to carry on.'
        return
      }
      if (response.ok) {
        const body = await response.json()
        lastSaved = now
        if (status) status.textContent = `Draft saved at ${body.saved_at}`
        form.dataset.draftSavedAt = body.saved_at
      }
    } catch (error) {
      // Offline or the server did not answer: try again at the next change or tick.
    } finally {
      sending = false
    }
  }

  // A change is saved a moment later, so that pressing a submit button (which ends the
  // field's editing, a change) sends the form alone rather than racing a draft save.
  let pending = null
  form.addEventListener('change', () => {
    window.clearTimeout(pending)
    pending = window.setTimeout(save, CHANGE_DELAY_MS)
  })
  const ticking = window.setInterval(save, INTERVAL_MS)
  form.addEventListener('submit', () => {
    stopped = true
    window.clearTimeout(pending)
    window.clearInterval(ticking)
  })
}

for (const form of document.querySelectorAll('form[data-draft-url]')) {
  startDrafts(form)
}
