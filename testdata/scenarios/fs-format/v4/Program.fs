module App.Program

let Run () : string =
    let name = "world"
    let count = 9
    sprintf "%-8s|%04d" name (count * 111)
