module github.com/thanhxuan/cchc/bench/peers

go 1.26.8

require github.com/thedatashed/xlsxreader v1.2.8
