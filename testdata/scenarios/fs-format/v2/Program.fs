module App.Program

let Run () : string =
    let name = "world"
    let count = 3
    sprintf "%s has %d items" name (count * 2)
