// Helpers shared by the migrations: which dialect runs them, and MySQL's table options.

import { MysqlAdapter, sql, type CreateTableBuilder, type Kysely } from 'kysely'

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations take Kysely<any> (Kysely's advice): they must not depend on today's schema types */

export const isMysql = (db: Kysely<any>): boolean => db.getExecutor().adapter instanceof MysqlAdapter

/** MySQL/MariaDB: utf8mb4 whatever the server's default (titles are often Korean), InnoDB for row locks. */
export const tableOptions = (mysql: boolean) => <T extends string, C extends string>(b: CreateTableBuilder<T, C>): CreateTableBuilder<T, C> =>
  mysql ? b.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`) : b
