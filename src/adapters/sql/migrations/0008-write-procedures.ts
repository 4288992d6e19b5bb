// Migration 0008: MySQL/MariaDB stored procedures for the writes that move seats and money in one round trip each.

import { sql, type Kysely, type Migration } from 'kysely'
import { isMysql } from './helpers.js'

/*
 * Written for MariaDB 10.6+ and MySQL 8 alike (JSON_TABLE, no JSON_ARRAYAGG … ORDER BY, no JSON_VALUE);
 * tested on MariaDB.
 *
 * Why procedures: a hold, a payment, a charge or a refund is one transaction of 6–12 statements. Sent one by one
 * they cost as many round trips (and as many socket writes, the largest item of their CPU profiles); as one CALL
 * they cost one. Each procedure is the whole of its write on MySQL (src/adapters/sql/ledgers.mysql.ts and
 * holds.mysql.ts only map its answer); the embedded mode runs the same steps as one synchronous SQLite
 * transaction (ledgers.sqlite.ts, holds.sqlite.ts). Any error inside rolls the transaction back and is raised
 * again with its own number (a deadlock stays 1213, a lock wait 1205), so the caller's retry rules still apply.
 * Every answer is one row whose `outcome` names what happened; refusals roll back and change nothing.
 *
 * Idempotency fencing (issue 9): a fenced write gets the key's scope, key, owner and new lease; its first
 * statement renews the lease only while that owner still owns the PENDING record (LOST otherwise, nothing
 * done), which also locks the record so no takeover can happen until commit, and the outcome is recorded
 * (PENDING → DONE) in the same transaction as the money. A NULL scope is an unfenced write.
 */

const FREE = (s: string): string => `(${s}.status = 'AVAILABLE' OR (${s}.status = 'HELD' AND ${s}.held_until <= p_now))`
const SEATS_OF = (json: string, alias: string): string => `JSON_TABLE(${json}, '$[*]' COLUMNS (seat_no INT PATH '$')) ${alias}`
const ON_ERROR_ROLL_BACK = 'DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;'
// JSON_OBJECT quotes a procedure's variables and parameters on MariaDB ("7"): numbers go through CAST.
const FENCE_PARAMS = 'IN p_scope VARCHAR(100), IN p_key VARCHAR(255), IN p_owner VARCHAR(32), IN p_lease_until BIGINT'

const PROCEDURES: Record<string, string> = {
  // Inside a transaction: renews the owner's lease (and locks the record); p_ok 0 when the owner lost the key.
  idem_renew: `
CREATE PROCEDURE idem_renew (${FENCE_PARAMS}, OUT p_ok INT)
BEGIN
  DECLARE v_n INT DEFAULT 0;
  IF p_scope IS NULL THEN
    SET p_ok = 1;
  ELSE
    SELECT COUNT(*) INTO v_n FROM idempotency_keys
      WHERE scope = p_scope AND idem_key = p_key AND owner = p_owner AND state = 'PENDING' FOR UPDATE;
    IF v_n > 0 THEN
      UPDATE idempotency_keys SET lease_until = p_lease_until WHERE scope = p_scope AND idem_key = p_key AND owner = p_owner AND state = 'PENDING';
    END IF;
    SET p_ok = v_n;
  END IF;
END`,

  // Inside the transaction that renewed it: PENDING → DONE with the outcome (the record is locked, so it matches).
  idem_complete: `
CREATE PROCEDURE idem_complete (IN p_scope VARCHAR(100), IN p_key VARCHAR(255), IN p_owner VARCHAR(32), IN p_outcome TEXT)
BEGIN
  IF p_scope IS NOT NULL THEN
    UPDATE idempotency_keys SET state = 'DONE', outcome = p_outcome WHERE scope = p_scope AND idem_key = p_key AND owner = p_owner AND state = 'PENDING';
    IF ROW_COUNT() = 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the idempotency record changed inside its own transaction'; END IF;
  END IF;
END`,

  // Starts the transaction and locks the user's row, provided their live holds of the show plus p_n seats stay
  // within p_max (p_ok 1); else rolls back (p_ok 0). A user without a row gets one first, outside the transaction.
  hold_lock_user: `
CREATE PROCEDURE hold_lock_user (IN p_user VARCHAR(64), IN p_show INT, IN p_n INT, IN p_max INT, IN p_now BIGINT, OUT p_ok INT)
BEGIN
  DECLARE v_found INT DEFAULT 0;
  DECLARE v_held BIGINT DEFAULT 0;
  START TRANSACTION;
  SELECT COUNT(*) INTO v_found FROM users WHERE id = p_user FOR UPDATE;
  IF v_found = 0 THEN
    ROLLBACK;
    INSERT IGNORE INTO users (id, balance, created_at, updated_at) VALUES (p_user, 0, p_now, p_now);
    START TRANSACTION;
    SELECT COUNT(*) INTO v_found FROM users WHERE id = p_user FOR UPDATE;
  END IF;
  -- Read under the user's lock: every hold of this user committed before it is counted.
  SELECT COALESCE(SUM(seat_count), 0) INTO v_held FROM reservations
    WHERE user_id = p_user AND show_id = p_show AND status = 'HELD' AND held_until > p_now;
  IF v_found = 0 OR v_held + p_n > p_max THEN
    ROLLBACK;
    SET p_ok = 0;
  ELSE
    SET p_ok = 1;
  END IF;
END`,

  // The first half of a hold that decides in the service between two round trips; leaves the transaction open
  // on OK. p_rows NULL: best available — the show's row is locked (one pick of a show at a time, on every
  // instance) and its free seats (in p_section, when given) are returned as one comma-separated list (a row per
  // seat cost the service more than the whole hold). Else the seats p_rows (ascending) are locked and returned
  // as committed, a row each (the no-single-seat-gap rule is decided on them).
  hold_begin: `
CREATE PROCEDURE hold_begin (IN p_user VARCHAR(64), IN p_show INT, IN p_n INT, IN p_max INT, IN p_now BIGINT, IN p_rows TEXT, IN p_section VARCHAR(40))
proc: BEGIN
  DECLARE v_ok INT DEFAULT 0;
  DECLARE v_x INT DEFAULT 0;
  ${ON_ERROR_ROLL_BACK}
  CALL hold_lock_user(p_user, p_show, p_n, p_max, p_now, v_ok);
  IF v_ok = 0 THEN
    SELECT 'HOLD_LIMIT_REACHED' AS outcome;
    LEAVE proc;
  END IF;
  IF p_rows IS NULL THEN
    SELECT COUNT(*) INTO v_x FROM shows WHERE id = p_show FOR UPDATE;
    SET SESSION group_concat_max_len = 16777216;
    IF p_section IS NULL THEN
      SELECT 'OK' AS outcome, GROUP_CONCAT(s.seat_no ORDER BY s.seat_no) AS free_seats FROM seats s WHERE s.show_id = p_show AND ${FREE('s')};
    ELSE
      SELECT 'OK' AS outcome, GROUP_CONCAT(s.seat_no ORDER BY s.seat_no) AS free_seats FROM seats s
        WHERE s.show_id = p_show AND s.section = p_section AND ${FREE('s')};
    END IF;
  ELSE
    SELECT 'OK' AS outcome;
    SELECT s.seat_no, s.status, s.held_until FROM ${SEATS_OF('p_rows', 'j')} JOIN seats s ON s.show_id = p_show AND s.seat_no = j.seat_no
      ORDER BY s.seat_no FOR UPDATE;
  END IF;
END`,

  // A hold of the seats p_seats (ascending) as one reservation at p_price, all or none: in a transaction of its
  // own (p_begun 0: the user's row and limit first), or finishing the one hold_begin left open (p_begun 1).
  // p_rows/p_free (best available on a show with the gap rule): the rows around the block must still be as the
  // pick saw them (p_free their free seats then), else CHANGED. Answers HELD (reservation_id), HOLD_LIMIT_REACHED,
  // CHANGED, or SEAT_UNAVAILABLE with `seat_nos` the seats it could not take.
  hold_seats: `
CREATE PROCEDURE hold_seats (IN p_begun INT, IN p_user VARCHAR(64), IN p_concert INT, IN p_show INT, IN p_date VARCHAR(10), IN p_seats TEXT,
  IN p_price BIGINT, IN p_held_until BIGINT, IN p_now BIGINT, IN p_max INT, IN p_rows TEXT, IN p_free TEXT)
proc: BEGIN
  DECLARE v_n INT DEFAULT JSON_LENGTH(p_seats);
  DECLARE v_ok INT DEFAULT 0;
  DECLARE v_x INT DEFAULT 0;
  DECLARE v_free_now INT DEFAULT 0;
  DECLARE v_free_seen INT DEFAULT 0;
  DECLARE v_id BIGINT;
  DECLARE v_missing TEXT;
  DECLARE v_i INT DEFAULT 0;
  DECLARE v_taken INT DEFAULT 0;
  ${ON_ERROR_ROLL_BACK}
  IF p_begun = 0 THEN
    CALL hold_lock_user(p_user, p_show, v_n, p_max, p_now, v_ok);
    IF v_ok = 0 THEN
      SELECT 'HOLD_LIMIT_REACHED' AS outcome, NULL AS reservation_id, NULL AS seat_nos;
      LEAVE proc;
    END IF;
  END IF;
  IF p_rows IS NOT NULL THEN
    SELECT COUNT(*) INTO v_x FROM ${SEATS_OF('p_rows', 'j')} JOIN seats s ON s.show_id = p_show AND s.seat_no = j.seat_no FOR UPDATE;
    SELECT COUNT(*), COALESCE(SUM(f.seat_no IS NOT NULL), 0) INTO v_free_now, v_free_seen
      FROM ${SEATS_OF('p_rows', 'j')} JOIN seats s ON s.show_id = p_show AND s.seat_no = j.seat_no
      LEFT JOIN ${SEATS_OF('p_free', 'f')} ON f.seat_no = s.seat_no
      WHERE ${FREE('s')};
    IF v_free_now <> JSON_LENGTH(p_free) OR v_free_seen <> JSON_LENGTH(p_free) THEN
      ROLLBACK;
      SELECT 'CHANGED' AS outcome, NULL AS reservation_id, NULL AS seat_nos;
      LEAVE proc;
    END IF;
  END IF;
  INSERT INTO reservations (user_id, concert_id, show_id, show_date, seat_no, seat_count, price, status, held_until, created_at, paid_at)
    VALUES (p_user, p_concert, p_show, p_date, CAST(JSON_EXTRACT(p_seats, '$[0]') AS UNSIGNED), v_n, p_price, 'HELD', p_held_until, p_now, NULL);
  SET v_id = LAST_INSERT_ID();
  INSERT INTO reservation_seats (reservation_id, seat_no, show_id) SELECT v_id, j.seat_no, p_show FROM ${SEATS_OF('p_seats', 'j')};
  -- A lapsed hold (HELD with a past held_until) is free: its reservation reads EXPIRED until the sweeper marks it.
  -- One seat per statement, by primary key, in seat order (the lock order of every writer).
  WHILE v_i < v_n DO
    UPDATE seats s SET s.status = 'HELD', s.held_until = p_held_until, s.user_id = p_user, s.reservation_id = v_id
      WHERE s.show_id = p_show AND s.seat_no = CAST(JSON_EXTRACT(p_seats, CONCAT('$[', v_i, ']')) AS UNSIGNED) AND ${FREE('s')};
    SET v_taken = v_taken + ROW_COUNT();
    SET v_i = v_i + 1;
  END WHILE;
  IF v_taken < v_n THEN
    SELECT CONCAT('[', GROUP_CONCAT(j.seat_no ORDER BY j.seat_no), ']') INTO v_missing FROM ${SEATS_OF('p_seats', 'j')}
      LEFT JOIN seats s ON s.show_id = p_show AND s.seat_no = j.seat_no AND s.status = 'HELD' AND s.reservation_id = v_id
      WHERE s.seat_no IS NULL;
    ROLLBACK;
    SELECT 'SEAT_UNAVAILABLE' AS outcome, NULL AS reservation_id, v_missing AS seat_nos;
    LEAVE proc;
  END IF;
  INSERT INTO outbox (type, show_id, occurred_at, data, published_at) VALUES ('reservation.held', p_show, p_now,
    JSON_OBJECT('reservationId', CAST(v_id AS CHAR), 'userId', p_user, 'concertId', CAST(p_concert AS CHAR), 'date', p_date,
      'seatNos', JSON_EXTRACT(p_seats, '$'), 'amount', CAST(p_price AS SIGNED)), NULL);
  COMMIT;
  SELECT 'HELD' AS outcome, v_id AS reservation_id, NULL AS seat_nos;
END`,

  // Charges p_amount unless the balance would pass p_max_balance: CHARGED (balance) or CHARGE_LIMIT_EXCEEDED.
  charge_points: `
CREATE PROCEDURE charge_points (${FENCE_PARAMS}, IN p_ensure INT, IN p_user VARCHAR(64), IN p_amount BIGINT, IN p_max_balance BIGINT, IN p_now BIGINT)
proc: BEGIN
  DECLARE v_ok INT DEFAULT 0;
  DECLARE v_balance BIGINT;
  ${ON_ERROR_ROLL_BACK}
  -- Outside the transaction: two transactions inserting the same new row and then updating it would deadlock.
  IF p_ensure = 1 THEN INSERT IGNORE INTO users (id, balance, created_at, updated_at) VALUES (p_user, 0, p_now, p_now); END IF;
  START TRANSACTION;
  CALL idem_renew(p_scope, p_key, p_owner, p_lease_until, v_ok);
  IF v_ok = 0 THEN
    ROLLBACK;
    SELECT 'LOST' AS outcome, NULL AS balance;
    LEAVE proc;
  END IF;
  UPDATE users SET balance = balance + p_amount, updated_at = p_now WHERE id = p_user AND balance <= p_max_balance - p_amount;
  IF ROW_COUNT() = 0 THEN
    ROLLBACK;
    SELECT 'CHARGE_LIMIT_EXCEEDED' AS outcome, NULL AS balance;
    LEAVE proc;
  END IF;
  SELECT balance INTO v_balance FROM users WHERE id = p_user;
  INSERT INTO point_history (user_id, type, amount, balance_after, reservation_id, created_at) VALUES (p_user, 'CHARGE', CAST(p_amount AS SIGNED), v_balance, NULL, p_now);
  INSERT INTO outbox (type, show_id, occurred_at, data, published_at)
    VALUES ('points.charged', NULL, p_now, JSON_OBJECT('userId', p_user, 'amount', CAST(p_amount AS SIGNED), 'balance', CAST(v_balance AS SIGNED)), NULL);
  CALL idem_complete(p_scope, p_key, p_owner, CONCAT('{"ok":true,"value":', JSON_OBJECT('userId', p_user, 'balance', CAST(v_balance AS SIGNED)), '}'));
  COMMIT;
  SELECT 'CHARGED' AS outcome, v_balance AS balance;
END`,

  // Pays a live hold of p_user: PAID, or RESERVATION_NOT_FOUND, ALREADY_PAID, HOLD_EXPIRED, INSUFFICIENT_POINTS.
  // Lock order of every writer: the user's row, then the seats, then the reservation, then the payment.
  pay_reservation: `
CREATE PROCEDURE pay_reservation (${FENCE_PARAMS}, IN p_user VARCHAR(64), IN p_reservation BIGINT, IN p_now BIGINT)
proc: BEGIN
  DECLARE v_ok INT DEFAULT 0;
  DECLARE v_user VARCHAR(64);
  DECLARE v_status VARCHAR(12);
  DECLARE v_held_until BIGINT;
  DECLARE v_price BIGINT;
  DECLARE v_concert INT;
  DECLARE v_show INT;
  DECLARE v_date VARCHAR(10);
  DECLARE v_seats TEXT;
  DECLARE v_balance BIGINT;
  DECLARE v_payment BIGINT;
  DECLARE v_outcome VARCHAR(32) DEFAULT NULL;
  ${ON_ERROR_ROLL_BACK}
  START TRANSACTION;
  CALL idem_renew(p_scope, p_key, p_owner, p_lease_until, v_ok);
  IF v_ok = 0 THEN
    ROLLBACK;
    SELECT 'LOST' AS outcome;
    LEAVE proc;
  END IF;
  SELECT r.user_id, r.status, r.held_until, r.price, r.concert_id, r.show_id, r.show_date,
      COALESCE((SELECT CONCAT('[', GROUP_CONCAT(rs.seat_no ORDER BY rs.seat_no), ']') FROM reservation_seats rs WHERE rs.reservation_id = r.id), CONCAT('[', r.seat_no, ']'))
    INTO v_user, v_status, v_held_until, v_price, v_concert, v_show, v_date, v_seats
    FROM reservations r WHERE r.id = p_reservation;
  IF v_user IS NULL OR v_user <> p_user THEN
    SET v_outcome = 'RESERVATION_NOT_FOUND';
  ELSEIF v_status = 'CONFIRMED' THEN
    SET v_outcome = 'ALREADY_PAID';
  ELSEIF v_status <> 'HELD' OR v_held_until <= p_now THEN
    SET v_outcome = 'HOLD_EXPIRED';
  ELSE
    UPDATE users SET balance = balance - v_price, updated_at = p_now WHERE id = p_user AND balance >= v_price;
    IF ROW_COUNT() = 0 THEN
      SET v_outcome = 'INSUFFICIENT_POINTS';
    ELSE
      -- The seats of one hold lapse together: all of them are sold, or the hold has lapsed and none is.
      UPDATE seats s JOIN reservation_seats rs ON rs.reservation_id = p_reservation AND s.show_id = rs.show_id AND s.seat_no = rs.seat_no
        SET s.status = 'SOLD', s.held_until = NULL, s.user_id = p_user
        WHERE s.status = 'HELD' AND s.reservation_id = p_reservation AND s.held_until > p_now;
      IF ROW_COUNT() < JSON_LENGTH(v_seats) THEN
        SET v_outcome = 'HOLD_EXPIRED';
      ELSE
        UPDATE reservations SET status = 'CONFIRMED', paid_at = p_now WHERE id = p_reservation AND status = 'HELD';
        IF ROW_COUNT() = 0 THEN SET v_outcome = 'ALREADY_PAID'; END IF;
      END IF;
    END IF;
    IF v_outcome IS NOT NULL THEN
      -- Refused after the first look: the reservation may have changed meanwhile; say what it is now.
      SELECT status, held_until INTO v_status, v_held_until FROM reservations WHERE id = p_reservation;
      IF v_status = 'CONFIRMED' THEN SET v_outcome = 'ALREADY_PAID';
      ELSEIF v_status <> 'HELD' OR v_held_until <= p_now THEN SET v_outcome = 'HOLD_EXPIRED';
      END IF;
    END IF;
  END IF;
  IF v_outcome IS NOT NULL THEN
    SELECT COALESCE(MAX(balance), 0) INTO v_balance FROM users WHERE id = p_user;
    ROLLBACK;
    SELECT v_outcome AS outcome, v_price AS price, v_balance AS balance, v_seats AS seat_nos;
    LEAVE proc;
  END IF;
  SELECT balance INTO v_balance FROM users WHERE id = p_user;
  INSERT INTO point_history (user_id, type, amount, balance_after, reservation_id, created_at) VALUES (p_user, 'USE', CAST(v_price AS SIGNED), v_balance, p_reservation, p_now);
  INSERT INTO payments (reservation_id, user_id, amount, created_at) VALUES (p_reservation, p_user, v_price, p_now);
  SET v_payment = LAST_INSERT_ID();
  INSERT INTO outbox (type, show_id, occurred_at, data, published_at) VALUES ('payment.confirmed', v_show, p_now,
    JSON_OBJECT('reservationId', CAST(p_reservation AS CHAR), 'userId', p_user, 'concertId', CAST(v_concert AS CHAR), 'date', v_date,
      'seatNos', JSON_EXTRACT(v_seats, '$'), 'amount', CAST(v_price AS SIGNED), 'balance', CAST(v_balance AS SIGNED)), NULL);
  CALL idem_complete(p_scope, p_key, p_owner, CONCAT('{"ok":true,"value":', JSON_OBJECT('paymentId', CAST(v_payment AS SIGNED), 'reservationId', CAST(p_reservation AS SIGNED),
    'amount', CAST(v_price AS SIGNED), 'balance', CAST(v_balance AS SIGNED), 'status', 'CONFIRMED', 'paidAt', CAST(p_now AS SIGNED)), '}'));
  COMMIT;
  SELECT 'PAID' AS outcome, v_price AS price, v_balance AS balance, v_seats AS seat_nos, v_payment AS payment_id, v_concert AS concert_id, v_show AS show_id;
END`,

  // Refunds a CONFIRMED reservation (p_admin: anyone's; else p_user's own, until p_cutoff ms before its show):
  // REFUNDED, or RESERVATION_NOT_FOUND, ALREADY_REFUNDED, RESERVATION_NOT_CONFIRMED, REFUND_CLOSED (closes_at).
  refund_reservation: `
CREATE PROCEDURE refund_reservation (${FENCE_PARAMS}, IN p_user VARCHAR(64), IN p_admin INT, IN p_reservation BIGINT, IN p_now BIGINT, IN p_cutoff BIGINT)
proc: BEGIN
  DECLARE v_ok INT DEFAULT 0;
  DECLARE v_user VARCHAR(64);
  DECLARE v_status VARCHAR(12);
  DECLARE v_price BIGINT;
  DECLARE v_concert INT;
  DECLARE v_show INT;
  DECLARE v_date VARCHAR(10);
  DECLARE v_seats TEXT;
  DECLARE v_closes_at BIGINT DEFAULT NULL;
  DECLARE v_balance BIGINT;
  DECLARE v_sold INT DEFAULT 0;
  DECLARE v_marked INT DEFAULT 0;
  DECLARE v_outcome VARCHAR(32) DEFAULT NULL;
  ${ON_ERROR_ROLL_BACK}
  START TRANSACTION;
  CALL idem_renew(p_scope, p_key, p_owner, p_lease_until, v_ok);
  IF v_ok = 0 THEN
    ROLLBACK;
    SELECT 'LOST' AS outcome;
    LEAVE proc;
  END IF;
  SELECT r.user_id, r.status, r.price, r.concert_id, r.show_id, r.show_date,
      COALESCE((SELECT CONCAT('[', GROUP_CONCAT(rs.seat_no ORDER BY rs.seat_no), ']') FROM reservation_seats rs WHERE rs.reservation_id = r.id), CONCAT('[', r.seat_no, ']')),
      (SELECT sh.starts_at - p_cutoff FROM shows sh WHERE sh.id = r.show_id)
    INTO v_user, v_status, v_price, v_concert, v_show, v_date, v_seats, v_closes_at
    FROM reservations r WHERE r.id = p_reservation;
  IF v_user IS NULL OR (v_user <> p_user AND p_admin = 0) THEN
    SET v_outcome = 'RESERVATION_NOT_FOUND';
  ELSEIF v_status = 'REFUNDED' THEN
    SET v_outcome = 'ALREADY_REFUNDED';
  ELSEIF v_status <> 'CONFIRMED' THEN
    SET v_outcome = 'RESERVATION_NOT_CONFIRMED';
  ELSEIF p_admin = 0 AND p_now >= v_closes_at THEN
    SET v_outcome = 'REFUND_CLOSED';
  END IF;
  IF v_outcome IS NOT NULL THEN
    ROLLBACK;
    SELECT v_outcome AS outcome, v_price AS price, NULL AS balance, v_seats AS seat_nos, v_closes_at AS closes_at;
    LEAVE proc;
  END IF;
  -- A refund never fails for the balance limit: the points were the owner's before they paid.
  UPDATE users SET balance = balance + v_price, updated_at = p_now WHERE id = v_user;
  UPDATE seats s JOIN reservation_seats rs ON rs.reservation_id = p_reservation AND s.show_id = rs.show_id AND s.seat_no = rs.seat_no
    SET s.status = 'AVAILABLE', s.held_until = NULL, s.user_id = NULL, s.reservation_id = NULL
    WHERE s.status = 'SOLD' AND s.reservation_id = p_reservation;
  SET v_sold = ROW_COUNT();
  UPDATE reservations SET status = 'REFUNDED', refunded_at = p_now WHERE id = p_reservation AND status = 'CONFIRMED';
  SET v_marked = ROW_COUNT();
  IF v_sold < JSON_LENGTH(v_seats) OR v_marked = 0 THEN
    SELECT status INTO v_status FROM reservations WHERE id = p_reservation;
    IF v_status = 'REFUNDED' THEN SET v_outcome = 'ALREADY_REFUNDED';
    ELSEIF v_status <> 'CONFIRMED' THEN SET v_outcome = 'RESERVATION_NOT_CONFIRMED';
    ELSE SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the reservation is CONFIRMED but its seats are not all sold to it';
    END IF;
    ROLLBACK;
    SELECT v_outcome AS outcome, v_price AS price, NULL AS balance, v_seats AS seat_nos, v_closes_at AS closes_at;
    LEAVE proc;
  END IF;
  UPDATE payments SET refunded_at = p_now WHERE reservation_id = p_reservation AND refunded_at IS NULL;
  IF ROW_COUNT() = 0 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the reservation is CONFIRMED but has no unrefunded payment'; END IF;
  SELECT balance INTO v_balance FROM users WHERE id = v_user;
  INSERT INTO point_history (user_id, type, amount, balance_after, reservation_id, created_at) VALUES (v_user, 'REFUND', CAST(v_price AS SIGNED), v_balance, p_reservation, p_now);
  INSERT INTO outbox (type, show_id, occurred_at, data, published_at) VALUES ('reservation.refunded', v_show, p_now,
    JSON_OBJECT('reservationId', CAST(p_reservation AS CHAR), 'userId', v_user, 'concertId', CAST(v_concert AS CHAR), 'date', v_date,
      'seatNos', JSON_EXTRACT(v_seats, '$'), 'amount', CAST(v_price AS SIGNED), 'balance', CAST(v_balance AS SIGNED)), NULL);
  CALL idem_complete(p_scope, p_key, p_owner, CONCAT('{"ok":true,"value":', JSON_OBJECT('reservationId', CAST(p_reservation AS SIGNED),
    'amount', CAST(v_price AS SIGNED), 'balance', CAST(v_balance AS SIGNED), 'status', 'REFUNDED', 'refundedAt', CAST(p_now AS SIGNED)), '}'));
  COMMIT;
  SELECT 'REFUNDED' AS outcome, v_price AS price, v_balance AS balance, v_seats AS seat_nos, v_closes_at AS closes_at,
    v_user AS user_id, v_concert AS concert_id, v_show AS show_id;
END`
}

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's schema types */
export const writeProcedures: Migration = {
  async up (db: Kysely<any>) {
    const mysql = isMysql(db)
    // Every query of seats names its show; this index only cost each seat change a write (and misled SQLite's
    // planner into scanning every held seat).
    const drop = db.schema.dropIndex('seats_status_held')
    await (mysql ? drop.on('seats') : drop).execute()
    // SQLite has no procedures: the embedded mode runs the same steps as synchronous transactions in process.
    if (!mysql) return
    for (const [name, body] of Object.entries(PROCEDURES)) {
      await sql.raw(`DROP PROCEDURE IF EXISTS ${name}`).execute(db)
      await sql.raw(body).execute(db)
    }
  },
  async down (db: Kysely<any>) {
    const mysql = isMysql(db)
    if (mysql) for (const name of Object.keys(PROCEDURES).reverse()) await sql.raw(`DROP PROCEDURE IF EXISTS ${name}`).execute(db)
    await db.schema.createIndex('seats_status_held').on('seats').columns(['status', 'held_until']).execute()
  }
}
