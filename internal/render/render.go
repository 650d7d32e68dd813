// Package render turns what the warehouse package reads into documents people
// open: the leadership report as a workbook and a web page, the data dictionary
// as Markdown and a web page. It reads no database.
package render
