// Korean and English text: the browser's language by default, a switch in the header, formatting of won and times.

export type Lang = 'en' | 'ko'

const en = {
  'app.title': 'Concert tickets',
  'app.skip': 'Skip to content',
  'nav.concerts': 'Concerts',
  'nav.reservations': 'My reservations',
  'nav.points': 'Points',
  'nav.signOut': 'Sign out',
  'nav.main': 'Main',
  'nav.balance': 'balance',
  'lang.switch': '한국어',
  'lang.switchLabel': '한국어 (Switch to Korean)',
  'common.loading': 'Loading…',
  'common.retry': 'Try again',
  'common.dismiss': 'Dismiss',
  'common.details': 'Error code {code} · request {requestId}',
  'common.detailsNoRequest': 'Error code {code}',

  'signin.title': 'Sign in',
  'signin.lead': 'Use any name as a demo fan account — no password needed on this demo server.',
  'signin.userId': 'User name',
  'signin.userIdHelp': '1–64 letters, digits, “-” or “_”, e.g. fan-1',
  'signin.submit': 'Sign in',
  'signin.invalid': 'Use 1–64 letters, digits, “-” or “_”.',
  'signin.devLoginOff': 'Demo sign-in is turned off on this server. Paste an access token from your identity provider instead.',
  'signin.tokenSummary': 'Sign in with an access token',
  'signin.token': 'Access token (JWT)',
  'signin.tokenSubmit': 'Use this token',
  'signin.tokenInvalid': 'That does not look like an access token.',
  'signin.expired': 'You were signed out: your sign-in is no longer valid (it expired, or the service restarted). Sign in again to pick up where you left off.',

  'concerts.title': 'Concerts',
  'concerts.empty': 'No concerts are on sale right now.',
  'concerts.venue': 'Venue: {venue}',
  'concerts.dates': 'Show dates',
  'concerts.noDates': 'No bookable dates left.',
  'concerts.available': '{available} of {total} seats left',
  'concerts.soldOut': 'Sold out',
  'concerts.book': 'Book',
  'concerts.startsAt': 'Starts at {time}',
  'concerts.bookLabel': 'Book {title} on {date}',
  'concerts.opensAt': 'Sales open {time}: places are drawn then, whenever you joined before.',
  'concerts.openedAt': 'Sales opened {time} with a draw.',

  'queue.title': 'Waiting room',
  'queue.lead': 'Many fans are booking right now. Keep this page open — you will move to the seat map by yourself when it is your turn.',
  'queue.joining': 'Joining the queue…',
  'queue.position': 'Your place in line',
  'queue.ahead': '{count} ahead of you',
  'queue.aheadNone': 'You are next',
  'queue.eta': 'Estimated wait',
  'queue.etaUnknown': 'calculating…',
  'queue.live': 'Live',
  'queue.reconnecting': 'Reconnecting…',
  'queue.admitted': 'It is your turn! Opening the seat map…',
  'queue.leave': 'Leave the queue',
  'queue.left': 'You left the queue.',
  'queue.rejoin': 'Join the queue again',
  'queue.announce': 'You are number {position} in line.',
  'queue.moved': 'You have moved up {moved} of the {start} places since you joined.',
  'queue.startedAt': 'You joined at number {start}.',
  'queue.prequeue': 'Sales have not opened yet. Everyone who joins before the opening gets a place by a fair draw, whenever they joined: keep this page open.',
  'queue.opensAt': 'Sales open at {time}',
  'queue.opensIn': 'until the opening',
  'queue.opening': 'Opening — drawing places…',
  'queue.otherConcerts': 'See other concerts',
  'queue.soldOutJoin': 'This concert is sold out, so the waiting room is closed. Seats can come back when an unpaid hold lapses or a ticket is refunded.',
  'queue.checkAgain': 'Check again',
  'queue.soldOutNow': 'Sold out for now. You keep your place: if seats come back (an unpaid hold lapses, a ticket is refunded), you move on from here. Keep this page open.',
  'queue.soldOutLikely': 'Seats may sell out before your turn: fewer seats are left than the fans ahead of you are likely to buy. You can keep waiting, or look at other dates.',
  'queue.polling': 'Checking now and then',

  'draw.title': 'The opening draw',
  'draw.pageTitle': 'Check the opening draw',
  'draw.commitment': 'Fingerprint of the seed (SHA-256), published before the opening:',
  'draw.seed': 'Seed:',
  'draw.yourKey': 'Your key:',
  'draw.before': 'Places are drawn when sales open, at {time}. The draw’s secret seed is already fixed: only its fingerprint is public until then, so nobody can change the order afterwards.',
  'draw.beforeNoTime': 'Places are drawn when sales open. The draw’s secret seed is already fixed: only its fingerprint is public until then.',
  'draw.howLater': 'At the opening the seed is published. This page then checks, in your browser, that it matches the fingerprint, that the order is sorted and where your own place stands.',
  'draw.after': 'The draw ran at {time}. Checked here, in your browser:',
  'draw.checkSeed': 'The published seed matches the fingerprint published before the opening.',
  'draw.checkSorted': 'The {count} keys are in ascending order: that order is the queue order.',
  'draw.checkMine': 'Your key, computed here from the seed and your queue pass, is number {place} of {count}.',
  'draw.checkMineMissing': 'Your key, computed here from the seed and your queue pass, is not among the keys.',
  'draw.passed': 'Passed:',
  'draw.failed': 'Failed:',
  'draw.how': 'Each key is HMAC-SHA256 of a queue pass’s id keyed with the seed; places are given in the order of the keys.',
  'draw.noCrypto': 'This browser cannot run the check on this connection (it needs https).',
  'draw.none': 'This concert has no draw: places go first come, first served.',
  'draw.back': 'Back',
  'draw.link': 'Check the draw',

  'seats.title': 'Choose a seat',
  'seats.stage': 'STAGE',
  'seats.mapLabel': 'Seat map, {count} seats',
  'seats.help': 'Use the arrow keys to move between seats and Enter to select one.',
  'seats.helpTouch': 'Tap a seat to pick it. Swipe the map to see more seats; − and + change the seat size.',
  'seats.section': 'Section {section}',
  'seats.zoom': 'Seat size',
  'seats.selection': 'Your selection',
  'seats.zoomIn': 'Larger seats',
  'seats.zoomOut': 'Smaller seats',
  'seats.legend': 'Legend',
  'seats.grades': 'Grades and prices',
  'seats.states': 'Seat states',
  'seats.state.AVAILABLE': 'available',
  'seats.state.HELD': 'held',
  'seats.state.SOLD': 'sold',
  'seats.state.MINE': 'held by you',
  'seats.state.OWNED': 'your seat',
  'seats.state.SELECTED': 'selected',
  'seats.label': 'Seat {no}, grade {grade}, {price}, {state}',
  'seats.selected': 'Seat {no} · grade {grade} · {price}',
  'seats.selectPrompt': 'Select an available seat on the map.',
  'seats.hold': 'Hold {seats}',
  'seats.total': 'Total {amount}',
  'seats.limit': 'You can pick up to {count} seats.',
  'seats.noneFree': 'Every seat is taken right now. Held seats come back on sale when they are not paid in time, and this map shows it at once.',
  'seats.soldOut': 'This date is sold out.',
  'seats.otherDates': 'See other dates',
  'seats.yours': 'Seat {no} is yours: you bought it.',
  'seats.holdNone': 'Hold seat',
  'seats.holding': 'Holding…',
  'seats.justTaken': 'Seat {no} was just taken by another fan. Please pick another.',
  'seats.taken': 'Seat {no} is not available.',
  'seats.window': 'Your booking window closes in {time}',
  'seats.myHolds': 'Your holds',
  'seats.continue': 'Continue with {seats}',
  'seats.release': 'Leave and free my place',
  'seats.live': 'Seats update live',
  'seats.reconnecting': 'Live updates interrupted — reconnecting…',
  'seats.summary': '{available} available · {held} held · {sold} sold',
  'seats.selectPromptMany': 'Select up to {count} available seats on the map.',
  'seats.picked': '{count} of {limit} seats',
  'seats.heldSome': 'You already hold {seats} for this show: up to {left} more.',
  'seats.heldAll': 'You already hold {seats} for this show, the most at once.',
  'seats.flag.taken': 'just taken',
  'seats.flag.gap': 'would be left on its own',

  'best.title': 'Best available',
  'best.lead': 'We pick seats side by side in one row, nearest the stage.',
  'best.count': 'Seats',
  'best.where': 'Where',
  'best.any': 'Any section',
  'best.sections': 'Sections',
  'best.grades': 'Grades',
  'best.grade': 'Grade {grade}, any section',
  'best.holdOne': 'Hold the best seat',
  'best.hold': 'Hold the best {count} seats',
  'best.noneAny': 'No {count} seats side by side are left. Try fewer seats.',
  'best.noneSection': 'No {count} seats side by side are left in section {section}. Try fewer seats or another section.',
  'best.noneGrade': 'No {count} seats side by side are left in grade {grade}. Try fewer seats or another grade.',

  'sections.title': 'Choose a section',
  'sections.lead': 'Sections nearest the stage come first. Pick one to see its seats, or let us find the best seats for you.',
  'sections.available': '{available} of {total} seats left',
  'sections.left': '{available} left',
  'sections.soldOut': 'Sold out',
  'sections.total': '{available} of {total} seats left in {sections} sections',
  'sections.all': 'All sections',
  'sections.nav': 'Sections',
  'sections.switch': 'Go to another section',

  'hold.title': 'Your seat is held',
  'hold.titleMany': 'Your seats are held',
  'hold.leadMany': 'Pay before the timer runs out, or the seats go back on sale.',
  'hold.shortMany': 'You need {amount} more to pay for these seats.',
  'hold.lapsedMany': 'The time to pay ran out, so the seats are back on sale for everyone.',
  'hold.cancelledMany': 'Your hold was cancelled and the seats are free again.',
  'hold.where': 'Where',
  'hold.sectionRow': 'Section {section}, row {row}',
  'hold.total': 'Total',
  'hold.titleLapsed': 'Your hold lapsed',
  'hold.titleCancelled': 'Hold cancelled',
  'hold.titleEnded': 'This hold has ended',
  'hold.lead': 'Pay before the timer runs out, or the seat goes back on sale.',
  'hold.timeLeft': 'Time left to pay',
  'hold.announceMinutes': '{minutes} minutes left to pay.',
  'hold.announceSeconds': '{seconds} seconds left to pay.',
  'hold.concert': 'Concert',
  'hold.date': 'Date',
  'hold.seat': 'Seat',
  'hold.price': 'Price',
  'hold.balance': 'Your points',
  'hold.after': 'Points after payment',
  'hold.afterShort': 'not enough',
  'hold.offline': 'We cannot reach the service right now. Your seat stays held until the timer runs out, and we keep trying to reconnect…',
  'hold.payUnknown': 'We could not confirm the payment. Press Pay again: it is the same payment, so you are never charged twice.',
  'hold.short': 'You need {amount} more to pay for this seat.',
  'hold.chargeShort': 'Charge {amount}',
  'hold.pay': 'Pay {amount}',
  'hold.paying': 'Paying…',
  'hold.cancel': 'Cancel hold',
  'hold.cancelled': 'Your hold was cancelled and the seat is free again.',
  'hold.lapsed': 'The time to pay ran out, so the seat is back on sale for everyone.',
  'hold.backToSeats': 'Back to the seat map',
  'hold.notHeld': 'This reservation is no longer on hold.',
  'hold.charged': 'Charged {amount}. Your balance is now {balance}.',
  'hold.err.takenOne': 'Sorry — someone just took seat {no} (marked on the map). Please pick another one.',
  'hold.err.takenMany': 'Sorry — someone just took {seats} (marked on the map). Nothing was held: please pick others.',
  'hold.err.kept': 'Your other seats are still selected.',
  'hold.err.gapOne': 'That would leave {seats} empty on its own, which this show does not allow (marked on the map). Add it, or pick seats that leave no single seat alone.',
  'hold.err.gapMany': 'That would leave {seats} empty on their own, which this show does not allow (marked on the map). Add them, or pick seats that leave no single seat alone.',
  'hold.err.addGap': 'Add {seats}',
  'hold.err.limit': 'You can hold up to {limit} seats for this show at once, and you already hold {held}. Pick {left} or fewer, or pay for or cancel that hold first.',
  'hold.err.limitFull': 'You already hold {held}, the most for this show at once ({limit} seats). Pay for or cancel that hold first.',
  'hold.err.tooMany': 'That is more seats than one order may take here. Pick fewer seats and try again.',

  'done.title': 'Payment complete',
  'done.lead': 'Enjoy the show! Your seat is confirmed.',
  'done.ticket': 'Ticket',
  'done.seats': 'Seats',
  'done.paidAt': 'Paid at',
  'done.reservation': 'Reservation',
  'done.amount': 'Amount paid',
  'done.balance': 'Points left',
  'done.myReservations': 'See my reservations',
  'done.more': 'Book another seat',

  'res.title': 'My reservations',
  'res.empty': 'You have no reservations yet.',
  'res.status.HELD': 'On hold',
  'res.status.CONFIRMED': 'Confirmed',
  'res.status.CANCELLED': 'Cancelled',
  'res.status.EXPIRED': 'Hold lapsed',
  'res.status.REFUNDED': 'Refunded',
  'res.ticket': 'View ticket',
  'res.details': 'Details',
  'res.heldUntil': 'Held until {time}',
  'res.paidAt': 'Paid {time}',
  'res.continue': 'Continue to payment',
  'res.refundedAt': 'Refunded {time}',

  'refund.button': 'Refund',
  'refund.until': 'Refundable until {time} ({hours} hours before the show).',
  'refund.closed': 'Refunds closed at {time}, {hours} hours before the show.',
  'refund.closedNoTime': 'Refunds for this show have closed.',
  'refund.question': 'Refund {amount} to your points? Your seats go back on sale at once.',
  'refund.confirm': 'Refund {amount}',
  'refund.keep': 'Keep my ticket',
  'refund.refunding': 'Refunding…',
  'refund.done': '{amount} is back in your points. Your balance is now {balance}.',
  'refund.unknown': 'We could not confirm the refund. Press Refund again: it is the same refund, so it is never paid out twice.',

  'ticket.title': 'Reservation',
  'ticket.back': 'Back to my reservations',
  'ticket.heldUntil': 'Held until',
  'ticket.refundedAt': 'Refunded at',

  'banner.held': 'You hold {seats}. Time left to pay:',
  'banner.more': '(+{count} more)',
  'banner.continue': 'Continue to payment',
  'banner.lapsed': 'Your hold on {seats} lapsed: the seat is back on sale.',

  'points.title': 'Points',
  'points.balance': 'Balance',
  'points.charge': 'Charge points',
  'points.amount': 'Amount (won)',
  'points.amountHelp': 'A whole number from 1 to 1,000,000',
  'points.submit': 'Charge',
  'points.charging': 'Charging…',
  'points.invalid': 'Enter a whole number of won greater than 0.',
  'points.charged': 'Charged {amount}. Your balance is now {balance}.',
  'points.preset': 'Add {amount}',
  'points.presets': 'Quick amounts',
  'points.history': 'History',
  'points.historyEmpty': 'No point movements yet.',
  'points.more': 'Load more',
  'points.type.CHARGE': 'Charge',
  'points.type.USE': 'Payment',
  'points.type.REFUND': 'Refund',
  'points.col.when': 'When',
  'points.col.type': 'Type',
  'points.col.amount': 'Amount',
  'points.col.balance': 'Balance after',

  'notFound.title': 'Page not found',
  'notFound.back': 'Go to the concerts',

  'error.VALIDATION_FAILED': 'Some of what was sent is not valid. Please check and try again.',
  'error.UNAUTHENTICATED': 'Your sign-in has expired. Please sign in again.',
  'error.QUEUE_TOKEN_REQUIRED': 'Please go through the waiting room first.',
  'error.QUEUE_TOKEN_INVALID': 'Your waiting-room pass is not valid. Please join the queue again.',
  'error.FORBIDDEN': 'You are not allowed to do that.',
  'error.QUEUE_NOT_ADMITTED': 'It is not your turn yet — please wait in the waiting room.',
  'error.QUEUE_TOKEN_CONCERT_MISMATCH': 'Your waiting-room pass is for a different concert.',
  'error.NOT_FOUND': 'We could not find what you asked for.',
  'error.CONCERT_NOT_FOUND': 'That concert does not exist.',
  'error.SHOW_NOT_FOUND': 'There is no show on that date.',
  'error.SEAT_NOT_FOUND': 'That seat does not exist.',
  'error.RESERVATION_NOT_FOUND': 'We could not find that reservation.',
  'error.SEAT_UNAVAILABLE': 'Sorry — someone just took that seat. Please pick another one.',
  'error.HOLD_LIMIT_REACHED': 'You already hold as many seats as allowed for this show. Pay for or cancel one first.',
  'error.HOLD_EXPIRED': 'Your hold on this seat lapsed, so it could not be paid. Please pick the seat again.',
  'error.ALREADY_PAID': 'This reservation is already paid.',
  'error.RESERVATION_NOT_HELD': 'This reservation is no longer on hold.',
  'error.QUEUE_TOKEN_EXPIRED': 'Your turn in the waiting room has ended. Please join the queue again.',
  'error.INSUFFICIENT_POINTS': 'You do not have enough points. Charge your points, then pay again.',
  'error.CHARGE_LIMIT_EXCEEDED': 'That charge goes over the limit for one charge or for your balance.',
  'error.IDEMPOTENCY_KEY_REUSED': 'This request was already sent with different details. Please try again.',
  'error.IDEMPOTENCY_IN_PROGRESS': 'The same request is still being handled. Please try again in a moment.',
  'error.SOLD_OUT': 'This concert is sold out.',
  'error.SINGLE_SEAT_GAP': 'Please pick seats that do not leave a single seat empty on its own.',
  'error.SECTION_NOT_FOUND': 'That section does not exist.',
  'error.REFUND_CLOSED': 'Refunds for this show have closed.',
  'error.ALREADY_REFUNDED': 'This reservation was already refunded.',
  'error.RESERVATION_NOT_CONFIRMED': 'Only a paid reservation can be refunded.',
  'error.RATE_LIMITED': 'Too many requests — please wait a moment and try again.',
  'error.RATE_LIMITED_AFTER': 'Too many requests — please try again in {seconds} seconds.',
  'error.SERVICE_UNAVAILABLE': 'The service is briefly unavailable. Please try again in a moment.',
  'error.NETWORK': 'Cannot reach the server. Check your connection and try again.',
  'error.SERVER': 'Something went wrong on our side. Please try again.',
  'error.UNKNOWN': 'Something went wrong. Please try again.'
} as const

export type MessageKey = keyof typeof en

const ko: Record<MessageKey, string> = {
  'app.title': '콘서트 예매',
  'app.skip': '본문으로 건너뛰기',
  'nav.concerts': '공연',
  'nav.reservations': '내 예매',
  'nav.points': '포인트',
  'nav.signOut': '로그아웃',
  'nav.main': '주 메뉴',
  'nav.balance': '잔액',
  'lang.switch': 'English',
  'lang.switchLabel': 'English (영어로 보기, Switch to English)',
  'common.loading': '불러오는 중…',
  'common.retry': '다시 시도',
  'common.dismiss': '닫기',
  'common.details': '오류 코드 {code} · 요청 {requestId}',
  'common.detailsNoRequest': '오류 코드 {code}',

  'signin.title': '로그인',
  'signin.lead': '데모 서버에서는 아무 이름으로나 팬 계정으로 로그인할 수 있습니다. 비밀번호는 필요 없습니다.',
  'signin.userId': '사용자 이름',
  'signin.userIdHelp': '영문, 숫자, “-”, “_” 1–64자 (예: fan-1)',
  'signin.submit': '로그인',
  'signin.invalid': '영문, 숫자, “-”, “_”로 1–64자를 입력해 주세요.',
  'signin.devLoginOff': '이 서버에서는 데모 로그인이 꺼져 있습니다. 인증 서비스에서 받은 액세스 토큰을 붙여 넣어 주세요.',
  'signin.tokenSummary': '액세스 토큰으로 로그인',
  'signin.token': '액세스 토큰 (JWT)',
  'signin.tokenSubmit': '이 토큰 사용',
  'signin.tokenInvalid': '올바른 액세스 토큰이 아닙니다.',
  'signin.expired': '로그인이 더 이상 유효하지 않아 로그아웃되었습니다(만료되었거나 서비스가 다시 시작되었습니다). 다시 로그인하면 하던 곳으로 돌아갑니다.',

  'concerts.title': '공연',
  'concerts.empty': '지금 예매할 수 있는 공연이 없습니다.',
  'concerts.venue': '장소: {venue}',
  'concerts.dates': '공연 날짜',
  'concerts.noDates': '예매 가능한 날짜가 없습니다.',
  'concerts.available': '전체 {total}석 중 {available}석 남음',
  'concerts.soldOut': '매진',
  'concerts.book': '예매하기',
  'concerts.startsAt': '{time} 시작',
  'concerts.bookLabel': '{date} {title} 예매하기',
  'concerts.opensAt': '{time} 판매 시작: 그 전에 들어온 분은 모두 추첨으로 순번을 받습니다.',
  'concerts.openedAt': '{time}에 추첨으로 판매를 시작했습니다.',

  'queue.title': '대기실',
  'queue.lead': '지금 많은 팬이 예매 중입니다. 이 페이지를 열어 두세요. 차례가 되면 좌석 선택 화면으로 자동으로 이동합니다.',
  'queue.joining': '대기열에 들어가는 중…',
  'queue.position': '내 대기 순번',
  'queue.ahead': '내 앞에 {count}명',
  'queue.aheadNone': '다음 차례입니다',
  'queue.eta': '예상 대기 시간',
  'queue.etaUnknown': '계산 중…',
  'queue.live': '실시간',
  'queue.reconnecting': '다시 연결하는 중…',
  'queue.admitted': '차례가 되었습니다! 좌석 선택 화면을 여는 중…',
  'queue.leave': '대기열 나가기',
  'queue.left': '대기열에서 나왔습니다.',
  'queue.rejoin': '대기열에 다시 들어가기',
  'queue.announce': '대기 순번 {position}번입니다.',
  'queue.moved': '처음 {start}번에서 {moved}칸 앞으로 왔습니다.',
  'queue.startedAt': '{start}번으로 대기를 시작했습니다.',
  'queue.prequeue': '아직 판매 전입니다. 판매 시작 전에 들어온 분은 들어온 시각과 상관없이 공정한 추첨으로 순번을 받습니다. 이 페이지를 열어 두세요.',
  'queue.opensAt': '판매 시작 {time}',
  'queue.opensIn': '판매 시작까지 남은 시간',
  'queue.opening': '판매 시작 — 순번을 추첨하는 중…',
  'queue.otherConcerts': '다른 공연 보기',
  'queue.soldOutJoin': '이 공연은 매진되어 대기실이 닫혀 있습니다. 결제되지 않은 선점이 만료되거나 환불된 좌석은 다시 판매됩니다.',
  'queue.checkAgain': '다시 확인하기',
  'queue.soldOutNow': '지금은 매진입니다. 대기 순번은 그대로 유지됩니다. 좌석이 다시 나오면(결제되지 않은 선점 만료, 환불) 여기서 바로 이어집니다. 이 페이지를 열어 두세요.',
  'queue.soldOutLikely': '차례가 오기 전에 매진될 수 있습니다. 남은 좌석이 내 앞의 팬들이 살 것으로 보이는 좌석보다 적습니다. 계속 기다리거나 다른 날짜를 볼 수 있습니다.',
  'queue.polling': '주기적으로 확인하는 중',

  'draw.title': '판매 시작 추첨',
  'draw.pageTitle': '추첨 확인하기',
  'draw.commitment': '판매 시작 전에 공개된 시드의 지문(SHA-256):',
  'draw.seed': '시드:',
  'draw.yourKey': '내 키:',
  'draw.before': '순번은 판매가 시작되는 {time}에 추첨합니다. 추첨에 쓰는 비밀 시드는 이미 정해져 있고 그때까지는 지문만 공개되므로, 누구도 나중에 순서를 바꿀 수 없습니다.',
  'draw.beforeNoTime': '순번은 판매가 시작될 때 추첨합니다. 추첨에 쓰는 비밀 시드는 이미 정해져 있고 그때까지는 지문만 공개됩니다.',
  'draw.howLater': '판매가 시작되면 시드가 공개됩니다. 그러면 이 페이지가 브라우저에서 직접 시드가 지문과 맞는지, 순서가 정렬되어 있는지, 내 순번이 어디인지 확인합니다.',
  'draw.after': '{time}에 추첨했습니다. 이 브라우저에서 직접 확인한 결과:',
  'draw.checkSeed': '공개된 시드가 판매 시작 전에 공개된 지문과 일치합니다.',
  'draw.checkSorted': '키 {count}개가 오름차순으로 정렬되어 있습니다. 이 순서가 대기 순서입니다.',
  'draw.checkMine': '시드와 내 대기실 입장권으로 여기서 계산한 내 키는 {count}개 중 {place}번째입니다.',
  'draw.checkMineMissing': '시드와 내 대기실 입장권으로 여기서 계산한 내 키가 목록에 없습니다.',
  'draw.passed': '통과:',
  'draw.failed': '실패:',
  'draw.how': '각 키는 시드를 키로 한 대기실 입장권 ID의 HMAC-SHA256이며, 키 순서대로 순번이 정해집니다.',
  'draw.noCrypto': '이 연결에서는 브라우저가 확인을 할 수 없습니다(https가 필요합니다).',
  'draw.none': '이 공연은 추첨이 없습니다. 먼저 온 순서대로 입장합니다.',
  'draw.back': '뒤로',
  'draw.link': '추첨 확인하기',

  'seats.title': '좌석 선택',
  'seats.stage': '무대',
  'seats.mapLabel': '좌석 배치도, {count}석',
  'seats.help': '방향키로 좌석 사이를 이동하고 Enter 키로 좌석을 선택하세요.',
  'seats.helpTouch': '좌석을 눌러 선택하세요. 배치도를 밀어서 다른 좌석을 보고, −와 +로 좌석 크기를 바꿀 수 있습니다.',
  'seats.section': '{section} 구역',
  'seats.zoom': '좌석 크기',
  'seats.selection': '선택한 좌석',
  'seats.zoomIn': '좌석 크게',
  'seats.zoomOut': '좌석 작게',
  'seats.legend': '범례',
  'seats.grades': '등급과 가격',
  'seats.states': '좌석 상태',
  'seats.state.AVAILABLE': '예매 가능',
  'seats.state.HELD': '선점됨',
  'seats.state.SOLD': '판매 완료',
  'seats.state.MINE': '내가 선점함',
  'seats.state.OWNED': '내 좌석',
  'seats.state.SELECTED': '선택됨',
  'seats.label': '{no}번 좌석, {grade}석, {price}, {state}',
  'seats.selected': '{no}번 좌석 · {grade}석 · {price}',
  'seats.selectPrompt': '배치도에서 예매 가능한 좌석을 선택하세요.',
  'seats.hold': '{seats} 선점하기',
  'seats.total': '합계 {amount}',
  'seats.limit': '최대 {count}석까지 고를 수 있습니다.',
  'seats.noneFree': '지금은 남은 좌석이 없습니다. 선점된 좌석은 시간 안에 결제되지 않으면 다시 판매되며, 배치도에 바로 나타납니다.',
  'seats.soldOut': '이 날짜는 매진되었습니다.',
  'seats.otherDates': '다른 날짜 보기',
  'seats.yours': '{no}번 좌석은 내가 예매한 좌석입니다.',
  'seats.holdNone': '좌석 선점하기',
  'seats.holding': '선점하는 중…',
  'seats.justTaken': '{no}번 좌석을 방금 다른 팬이 가져갔습니다. 다른 좌석을 골라 주세요.',
  'seats.taken': '{no}번 좌석은 예매할 수 없습니다.',
  'seats.window': '예매 가능 시간 {time} 남음',
  'seats.myHolds': '내가 선점한 좌석',
  'seats.continue': '{seats} 결제하기',
  'seats.release': '나가고 내 차례 넘기기',
  'seats.live': '좌석 상태 실시간 반영 중',
  'seats.reconnecting': '실시간 연결이 끊겼습니다. 다시 연결하는 중…',
  'seats.summary': '예매 가능 {available} · 선점 {held} · 판매 {sold}',
  'seats.selectPromptMany': '배치도에서 예매 가능한 좌석을 최대 {count}석까지 고르세요.',
  'seats.picked': '{limit}석 중 {count}석',
  'seats.heldSome': '이 공연에서 이미 {seats}을 선점 중입니다. {left}석 더 고를 수 있습니다.',
  'seats.heldAll': '이 공연에서 이미 {seats}을 선점 중입니다. 한 번에 선점할 수 있는 최대 좌석 수입니다.',
  'seats.flag.taken': '방금 판매됨',
  'seats.flag.gap': '혼자 남게 되는 좌석',

  'best.title': '자동 배정',
  'best.lead': '무대에서 가장 가까운 한 줄에 나란히 붙은 좌석을 골라 드립니다.',
  'best.count': '좌석 수',
  'best.where': '위치',
  'best.any': '모든 구역',
  'best.sections': '구역',
  'best.grades': '등급',
  'best.grade': '{grade}석 (모든 구역)',
  'best.holdOne': '가장 좋은 좌석 선점하기',
  'best.hold': '가장 좋은 좌석 {count}석 나란히 선점하기',
  'best.noneAny': '나란히 붙은 {count}석이 남아 있지 않습니다. 좌석 수를 줄여 보세요.',
  'best.noneSection': '{section} 구역에는 나란히 붙은 {count}석이 남아 있지 않습니다. 좌석 수를 줄이거나 다른 구역을 골라 보세요.',
  'best.noneGrade': '{grade}석에는 나란히 붙은 {count}석이 남아 있지 않습니다. 좌석 수를 줄이거나 다른 등급을 골라 보세요.',

  'sections.title': '구역 선택',
  'sections.lead': '무대에서 가까운 구역부터 보여 드립니다. 구역을 골라 좌석을 보거나 자동 배정을 이용하세요.',
  'sections.available': '전체 {total}석 중 {available}석 남음',
  'sections.left': '{available}석 남음',
  'sections.soldOut': '매진',
  'sections.total': '{sections}개 구역, 전체 {total}석 중 {available}석 남음',
  'sections.all': '전체 구역',
  'sections.nav': '구역',
  'sections.switch': '다른 구역으로 가기',

  'hold.title': '좌석을 선점했습니다',
  'hold.titleMany': '좌석을 선점했습니다',
  'hold.leadMany': '시간 안에 결제하지 않으면 좌석이 다시 판매됩니다.',
  'hold.shortMany': '이 좌석들을 결제하려면 {amount}이 더 필요합니다.',
  'hold.lapsedMany': '결제 시간이 지나 좌석들이 다시 모두에게 판매됩니다.',
  'hold.cancelledMany': '선점을 취소했습니다. 좌석들이 다시 판매됩니다.',
  'hold.where': '위치',
  'hold.sectionRow': '{section} 구역 {row}열',
  'hold.total': '합계',
  'hold.titleLapsed': '선점 시간이 지났습니다',
  'hold.titleCancelled': '선점을 취소했습니다',
  'hold.titleEnded': '선점이 끝났습니다',
  'hold.lead': '시간 안에 결제하지 않으면 좌석이 다시 판매됩니다.',
  'hold.timeLeft': '남은 결제 시간',
  'hold.announceMinutes': '결제 시간이 {minutes}분 남았습니다.',
  'hold.announceSeconds': '결제 시간이 {seconds}초 남았습니다.',
  'hold.concert': '공연',
  'hold.date': '날짜',
  'hold.seat': '좌석',
  'hold.price': '가격',
  'hold.balance': '내 포인트',
  'hold.after': '결제 후 포인트',
  'hold.afterShort': '부족',
  'hold.offline': '지금 서비스에 연결할 수 없습니다. 좌석은 타이머가 끝날 때까지 선점되어 있으며, 계속 다시 연결하고 있습니다…',
  'hold.payUnknown': '결제 결과를 확인하지 못했습니다. 결제하기를 다시 눌러 주세요. 같은 결제로 처리되므로 두 번 결제되지 않습니다.',
  'hold.short': '이 좌석을 결제하려면 {amount}이 더 필요합니다.',
  'hold.chargeShort': '{amount} 충전하기',
  'hold.pay': '{amount} 결제하기',
  'hold.paying': '결제하는 중…',
  'hold.cancel': '선점 취소',
  'hold.cancelled': '선점을 취소했습니다. 좌석이 다시 판매됩니다.',
  'hold.lapsed': '결제 시간이 지나 좌석이 다시 모두에게 판매됩니다.',
  'hold.backToSeats': '좌석 배치도로 돌아가기',
  'hold.notHeld': '이 예매는 더 이상 선점 상태가 아닙니다.',
  'hold.charged': '{amount}을 충전했습니다. 현재 잔액은 {balance}입니다.',
  'hold.err.takenOne': '죄송합니다. 방금 다른 팬이 {no}번 좌석을 가져갔습니다(배치도에 표시). 다른 좌석을 골라 주세요.',
  'hold.err.takenMany': '죄송합니다. 방금 다른 팬이 {seats}을 가져갔습니다(배치도에 표시). 아무 좌석도 선점되지 않았으니 다른 좌석을 골라 주세요.',
  'hold.err.kept': '나머지 좌석은 그대로 선택되어 있습니다.',
  'hold.err.gapOne': '이렇게 고르면 {seats}이 혼자 비게 됩니다. 이 공연은 한 좌석만 따로 비는 것을 허용하지 않습니다(배치도에 표시). 그 좌석을 더하거나 한 좌석만 남지 않게 골라 주세요.',
  'hold.err.gapMany': '이렇게 고르면 {seats}이 혼자 비게 됩니다. 이 공연은 한 좌석만 따로 비는 것을 허용하지 않습니다(배치도에 표시). 그 좌석들을 더하거나 한 좌석만 남지 않게 골라 주세요.',
  'hold.err.addGap': '{seats} 더하기',
  'hold.err.limit': '이 공연에서는 한 번에 최대 {limit}석까지 선점할 수 있는데, 이미 {held}을 선점 중입니다. {left}석 이하로 고르거나 먼저 그 선점을 결제하거나 취소해 주세요.',
  'hold.err.limitFull': '이미 {held}을 선점 중이며, 이 공연에서 한 번에 선점할 수 있는 최대 좌석 수({limit}석)입니다. 먼저 그 선점을 결제하거나 취소해 주세요.',
  'hold.err.tooMany': '한 번에 예매할 수 있는 좌석 수보다 많습니다. 좌석 수를 줄여서 다시 시도해 주세요.',

  'done.title': '결제 완료',
  'done.lead': '즐거운 공연 되세요! 좌석이 확정되었습니다.',
  'done.ticket': '티켓',
  'done.seats': '좌석',
  'done.paidAt': '결제 시각',
  'done.reservation': '예매 번호',
  'done.amount': '결제 금액',
  'done.balance': '남은 포인트',
  'done.myReservations': '내 예매 보기',
  'done.more': '다른 좌석 예매하기',

  'res.title': '내 예매',
  'res.empty': '아직 예매 내역이 없습니다.',
  'res.status.HELD': '선점 중',
  'res.status.CONFIRMED': '예매 확정',
  'res.status.CANCELLED': '취소됨',
  'res.status.EXPIRED': '선점 만료',
  'res.status.REFUNDED': '환불됨',
  'res.ticket': '티켓 보기',
  'res.details': '상세 보기',
  'res.heldUntil': '{time}까지 선점',
  'res.paidAt': '{time} 결제',
  'res.continue': '결제 계속하기',
  'res.refundedAt': '{time} 환불',

  'refund.button': '환불하기',
  'refund.until': '{time}까지 환불할 수 있습니다(공연 {hours}시간 전까지).',
  'refund.closed': '환불은 공연 {hours}시간 전인 {time}에 마감되었습니다.',
  'refund.closedNoTime': '이 공연은 환불이 마감되었습니다.',
  'refund.question': '{amount}을 포인트로 환불할까요? 좌석은 바로 다시 판매됩니다.',
  'refund.confirm': '{amount} 환불하기',
  'refund.keep': '티켓 유지하기',
  'refund.refunding': '환불하는 중…',
  'refund.done': '{amount}이 포인트로 돌아왔습니다. 현재 잔액은 {balance}입니다.',
  'refund.unknown': '환불 결과를 확인하지 못했습니다. 환불하기를 다시 눌러 주세요. 같은 환불로 처리되므로 두 번 환불되지 않습니다.',

  'ticket.title': '예매 상세',
  'ticket.back': '내 예매로 돌아가기',
  'ticket.heldUntil': '선점 만료 시각',
  'ticket.refundedAt': '환불 시각',

  'banner.held': '{seats}을 선점 중입니다. 남은 결제 시간',
  'banner.more': '(외 {count}건)',
  'banner.continue': '결제 계속하기',
  'banner.lapsed': '{seats} 선점 시간이 지나 좌석이 다시 판매됩니다.',

  'points.title': '포인트',
  'points.balance': '잔액',
  'points.charge': '포인트 충전',
  'points.amount': '금액 (원)',
  'points.amountHelp': '1부터 1,000,000까지의 정수',
  'points.submit': '충전하기',
  'points.charging': '충전하는 중…',
  'points.invalid': '0보다 큰 정수 금액을 입력해 주세요.',
  'points.charged': '{amount}을 충전했습니다. 현재 잔액은 {balance}입니다.',
  'points.preset': '{amount} 추가',
  'points.presets': '빠른 금액 선택',
  'points.history': '이용 내역',
  'points.historyEmpty': '아직 포인트 이용 내역이 없습니다.',
  'points.more': '더 보기',
  'points.type.CHARGE': '충전',
  'points.type.USE': '결제',
  'points.type.REFUND': '환불',
  'points.col.when': '일시',
  'points.col.type': '구분',
  'points.col.amount': '금액',
  'points.col.balance': '처리 후 잔액',

  'notFound.title': '페이지를 찾을 수 없습니다',
  'notFound.back': '공연 목록으로 가기',

  'error.VALIDATION_FAILED': '보낸 내용 중 올바르지 않은 값이 있습니다. 확인 후 다시 시도해 주세요.',
  'error.UNAUTHENTICATED': '로그인이 만료되었습니다. 다시 로그인해 주세요.',
  'error.QUEUE_TOKEN_REQUIRED': '먼저 대기실을 거쳐야 합니다.',
  'error.QUEUE_TOKEN_INVALID': '대기실 입장권이 올바르지 않습니다. 대기열에 다시 들어가 주세요.',
  'error.FORBIDDEN': '이 작업을 할 권한이 없습니다.',
  'error.QUEUE_NOT_ADMITTED': '아직 차례가 아닙니다. 대기실에서 기다려 주세요.',
  'error.QUEUE_TOKEN_CONCERT_MISMATCH': '대기실 입장권이 다른 공연의 것입니다.',
  'error.NOT_FOUND': '요청한 내용을 찾을 수 없습니다.',
  'error.CONCERT_NOT_FOUND': '존재하지 않는 공연입니다.',
  'error.SHOW_NOT_FOUND': '그 날짜에는 공연이 없습니다.',
  'error.SEAT_NOT_FOUND': '존재하지 않는 좌석입니다.',
  'error.RESERVATION_NOT_FOUND': '예매 내역을 찾을 수 없습니다.',
  'error.SEAT_UNAVAILABLE': '죄송합니다. 방금 다른 팬이 그 좌석을 가져갔습니다. 다른 좌석을 골라 주세요.',
  'error.HOLD_LIMIT_REACHED': '이 공연에서 선점할 수 있는 좌석 수를 모두 채웠습니다. 먼저 결제하거나 선점을 취소해 주세요.',
  'error.HOLD_EXPIRED': '좌석 선점 시간이 지나 결제할 수 없습니다. 좌석을 다시 골라 주세요.',
  'error.ALREADY_PAID': '이미 결제된 예매입니다.',
  'error.RESERVATION_NOT_HELD': '이 예매는 더 이상 선점 상태가 아닙니다.',
  'error.QUEUE_TOKEN_EXPIRED': '대기실 입장 시간이 끝났습니다. 대기열에 다시 들어가 주세요.',
  'error.INSUFFICIENT_POINTS': '포인트가 부족합니다. 포인트를 충전한 뒤 다시 결제해 주세요.',
  'error.CHARGE_LIMIT_EXCEEDED': '1회 충전 한도 또는 보유 한도를 넘는 금액입니다.',
  'error.IDEMPOTENCY_KEY_REUSED': '같은 요청이 다른 내용으로 이미 전송되었습니다. 다시 시도해 주세요.',
  'error.IDEMPOTENCY_IN_PROGRESS': '같은 요청을 처리하는 중입니다. 잠시 후 다시 시도해 주세요.',
  'error.SOLD_OUT': '이 공연은 매진되었습니다.',
  'error.SINGLE_SEAT_GAP': '한 좌석만 따로 비지 않도록 좌석을 골라 주세요.',
  'error.SECTION_NOT_FOUND': '없는 구역입니다.',
  'error.REFUND_CLOSED': '이 공연은 환불이 마감되었습니다.',
  'error.ALREADY_REFUNDED': '이미 환불된 예매입니다.',
  'error.RESERVATION_NOT_CONFIRMED': '결제된 예매만 환불할 수 있습니다.',
  'error.RATE_LIMITED': '요청이 너무 많습니다. 잠시 후 다시 시도해 주세요.',
  'error.RATE_LIMITED_AFTER': '요청이 너무 많습니다. {seconds}초 후에 다시 시도해 주세요.',
  'error.SERVICE_UNAVAILABLE': '서비스를 잠시 이용할 수 없습니다. 잠시 후 다시 시도해 주세요.',
  'error.NETWORK': '서버에 연결할 수 없습니다. 인터넷 연결을 확인한 뒤 다시 시도해 주세요.',
  'error.SERVER': '서버에서 문제가 생겼습니다. 다시 시도해 주세요.',
  'error.UNKNOWN': '문제가 생겼습니다. 다시 시도해 주세요.'
}

const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, ko }
const STORAGE_KEY = 'cr.lang'

function initialLang (): Lang {
  const saved = localStorage.getItem(STORAGE_KEY)
  if (saved === 'en' || saved === 'ko') return saved
  const preferred = navigator.languages?.[0] ?? navigator.language ?? 'en'
  return preferred.toLowerCase().startsWith('ko') ? 'ko' : 'en'
}

let current: Lang = initialLang()

export function lang (): Lang { return current }

export function setLang (next: Lang): void {
  current = next
  localStorage.setItem(STORAGE_KEY, next)
  document.documentElement.lang = next
}

export function hasMessage (key: string): key is MessageKey { return key in en }

/** The message for key in the current language, with {name} placeholders filled in. */
export function t (key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = dictionaries[current][key]
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => name in params ? String(params[name]) : whole)
}

/** A count with the language's digit grouping: "15,000". */
export function num (n: number): string {
  return new Intl.NumberFormat(current === 'ko' ? 'ko-KR' : 'en-US').format(n)
}

/** An amount of won: "150,000원" in Korean, "₩150,000" in English. */
export function won (amount: number): string {
  const digits = new Intl.NumberFormat(current === 'ko' ? 'ko-KR' : 'en-US').format(amount)
  return current === 'ko' ? `${digits}원` : `₩${digits}`
}

export function formatDate (isoDate: string): string {
  // A calendar date (YYYY-MM-DD) is shown as that day wherever the browser is.
  const [y, m, d] = isoDate.split('-').map(Number)
  return new Intl.DateTimeFormat(current === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'full', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d))
}

/** The concerts are in Seoul: times are shown in Seoul time wherever the browser is ("19:00 KST", "오후 7:00"). */
const SEOUL = 'Asia/Seoul'

export function formatDateTime (iso: string): string {
  const text = new Intl.DateTimeFormat(current === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: SEOUL }).format(new Date(iso))
  return current === 'ko' ? text : `${text} KST`
}

export function formatHourMinute (iso: string): string {
  const ko = current === 'ko'
  const text = new Intl.DateTimeFormat(ko ? 'ko-KR' : 'en-GB', { hour: ko ? 'numeric' : '2-digit', minute: '2-digit', timeZone: SEOUL }).format(new Date(iso))
  return ko ? text : `${text} KST`
}

/** Seat numbers inside a sentence: "seat 15", "seats 12, 13 and 14" / "15번 좌석", "12, 13, 14번 좌석". */
export function seatList (seatNos: number[]): string {
  if (current === 'ko') return `${seatNos.join(', ')}번 좌석`
  if (seatNos.length === 1) return `seat ${seatNos[0]}`
  return `seats ${seatNos.slice(0, -1).join(', ')} and ${seatNos[seatNos.length - 1]}`
}

/** Seat numbers as a label: "Seat 15", "Seats 12, 13 and 14". */
export function seatLabel (seatNos: number[]): string {
  const text = seatList(seatNos)
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** A duration as m:ss (or h:mm:ss). */
export function clock (totalSeconds: number): string {
  const s = Math.max(0, Math.ceil(totalSeconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** A rough wait: "about 3 minutes" / "약 3분". */
export function roughWait (seconds: number): string {
  return waitRange(seconds, seconds)
}

/** From..to as one phrase, in minutes or (from 90 minutes on) hours: "about 2–5 minutes" / "약 2~5분". */
function waitRange (from: number, to: number): string {
  const ko = current === 'ko'
  if (to < 60) return ko ? '1분 이내' : 'under a minute'
  const hours = to >= 90 * 60
  const unit = hours ? 3600 : 60
  const round = (n: number) => hours ? Math.round(n / unit * 10) / 10 : Math.max(1, Math.round(n / unit))
  const a = round(from)
  const b = Math.max(a, round(to))
  const span = a === b ? String(a) : ko ? `${a}~${b}` : `${a}–${b}`
  if (ko) return `약 ${span}${hours ? '시간' : '분'}`
  return `about ${span} ${hours ? 'hour' : 'minute'}${b === 1 ? '' : 's'}`
}

/**
 * The server's estimate, as honest as it is: the range of measured waits (most fans by p50, nearly all by p90)
 * when there is one, else its single figure, else "not known yet".
 */
export function waitEstimate (range: { p50: number, p90: number } | null, seconds: number): string {
  if (range) return waitRange(range.p50, range.p90)
  return seconds > 0 ? roughWait(seconds) : t('queue.etaUnknown')
}
