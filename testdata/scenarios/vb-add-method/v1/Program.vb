Public Module Program
    Public Function Run() As String
        Return "total: " & Add(2, 3)
    End Function

    Private Function Add(a As Integer, b As Integer) As Integer
        Return a + b
    End Function
End Module
