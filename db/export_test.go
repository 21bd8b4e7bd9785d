package db

// SplitStatementsForTest exposes splitStatements to the external test package.
var SplitStatementsForTest = splitStatements

// WriterConnForTest is the SQLite store's held writer connection, so that
// a test can see it renewed.
func WriterConnForTest(d *DB) any {
	d.wmu.Lock()
	defer d.wmu.Unlock()
	return d.wconn
}
