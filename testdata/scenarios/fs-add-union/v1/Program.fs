module App.Program

let describe (n: int) = if n > 0 then "positive" else "other"

let Run () : string =
    describe 3
