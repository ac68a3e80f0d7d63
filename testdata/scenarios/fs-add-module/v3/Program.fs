module App.Program

module Geometry =
    let area (w: int) (h: int) = w * h

    let perimeter (w: int) (h: int) = 2 * (w + h)

    module Units =
        [<Literal>]
        let Suffix = "cm"

        let label (v: int) = string v + Suffix

let describe (w: int) (h: int) : string =
    "rect " + string w + "x" + string h + " area " + Geometry.Units.label (Geometry.area w h)
    + " perimeter " + Geometry.Units.label (Geometry.perimeter w h)

let Run () : string =
    describe 3 4
